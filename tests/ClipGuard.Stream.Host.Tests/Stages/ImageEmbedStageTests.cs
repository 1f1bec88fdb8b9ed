using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>Decode + embed with a fake embedder: image-only messages get embeddings or their image_* reject codes.</summary>
public sealed class ImageEmbedStageTests
{
    [Fact]
    public void ImageOnlyMessagesAreEmbeddedTogetherAndRejectedImagesBecomeDeadLetters()
    {
        int calls = 0;
        var stage = new ImageEmbedStage((image, _) =>
        {
            calls++;
            return Task.FromResult(image.Length > 1
                ? new ImageEmbeddingResult([0.6f, 0.8f], null, null, "tiny", "v1")
                : new ImageEmbeddingResult(null, ImageRejectReason.Corrupt, "not an image", "tiny", "v1"));
        });
        List<PendingMessage> fresh = [ImageOnly("good", [1, 2, 3]), ImageOnly("bad", [9]), WithEmbedding("given")];

        stage.Embed(fresh, TestContext.Current.CancellationToken);

        Assert.Equal(2, calls);
        Assert.Equal([0.6f, 0.8f], fresh[0].Sample.Embedding!);
        Assert.Equal("image_corrupt", fresh[1].Sample.RejectCode);
        Assert.Equal([1f, 0f], fresh[2].Sample.Embedding!);
    }

    [Fact]
    public void WithoutAnEmbedderNothingChanges()
    {
        var stage = new ImageEmbedStage(null);
        List<PendingMessage> fresh = [ImageOnly("x", [1, 2])];

        stage.Embed(fresh, TestContext.Current.CancellationToken);

        Assert.False(stage.EmbedsImages);
        Assert.Null(fresh[0].Sample.Embedding);
    }

    [Fact]
    public void AModelFailureFailsTheWholeBatch()
    {
        var stage = new ImageEmbedStage((_, _) => Task.FromException<ImageEmbeddingResult>(new InvalidOperationException("model crashed")));

        Assert.Throws<InvalidOperationException>(() => stage.Embed([ImageOnly("x", [1, 2])], TestContext.Current.CancellationToken));
    }

    private static PendingMessage ImageOnly(string id, byte[] image) =>
        new(InputMessages.At(0, 0, id), new StreamSample(id, "src", null), new SampleEnvelope(id, "caption", null, image));

    private static PendingMessage WithEmbedding(string id) =>
        new(InputMessages.At(0, 1, id), new StreamSample(id, "src", [1f, 0f]), new SampleEnvelope(id, "caption", [1f, 0f], null));
}
