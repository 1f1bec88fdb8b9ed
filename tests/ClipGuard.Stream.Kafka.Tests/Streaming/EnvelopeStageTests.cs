using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

public sealed class EnvelopeStageTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47];

    [Fact]
    public void AnEnvelopeWithAnEmbeddingBecomesAScorableSample()
    {
        PendingMessage p = Stage(embedsImages: false).Parse(Input(new SampleEnvelope("s1", "a cat", [0.5f, 0.5f], null, source: "crawler-1")));

        Assert.True(p.Sample.IsValid);
        Assert.Equal(("s1", "crawler-1"), (p.Sample.Id, p.Sample.Source));
        Assert.NotNull(p.Envelope);
    }

    [Fact]
    public void AnImageOnlyEnvelopeWaitsForTheEmbedderOrIsDeadLetteredWithoutOne()
    {
        var envelope = new SampleEnvelope("s2", "a dog", null, Png);

        PendingMessage waiting = Stage(embedsImages: true).Parse(Input(envelope));
        PendingMessage rejected = Stage(embedsImages: false).Parse(Input(envelope));

        Assert.Null(waiting.Sample.Embedding);
        Assert.Null(waiting.Sample.RejectCode);
        Assert.Equal("embedding_required", rejected.Sample.RejectCode);
    }

    [Fact]
    public void AnUnreadableMessageIsKnownByItsKeyOrElseByItsPosition()
    {
        PendingMessage byKey = Stage(false).Parse(InputMessages.At(2, 41, "key-7", "{not json"u8.ToArray()));
        var keyless = InputMessages.At(2, 42, "x", "{not json"u8.ToArray());
        keyless.Message.Key = [0xFF, 0xFE];
        PendingMessage byPosition = Stage(false).Parse(keyless);

        Assert.Equal("key-7", byKey.Sample.Id);
        Assert.NotNull(byKey.Sample.RejectCode);
        Assert.Equal($"{InputMessages.Topic}/2/42", byPosition.Sample.Id);
        Assert.Null(byPosition.Envelope);
    }

    private static EnvelopeStage Stage(bool embedsImages) => new(dimension: 2, maxMessageBytes: 1 << 20, embedsImages);

    private static Confluent.Kafka.ConsumeResult<byte[], byte[]> Input(SampleEnvelope envelope) =>
        InputMessages.At(0, 1, envelope.Id, EnvelopeWriter.ToUtf8Bytes(envelope));
}
