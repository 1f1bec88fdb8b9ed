using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class ImageEmbeddingPipelineTests
{
    private static readonly string[] Images = ["mosaic.jpg", "item0-gray.png", "tall-rgba.png", "strip.webp", "anim.gif"];

    [Fact]
    public async Task Concurrent_images_are_embedded_in_micro_batches_and_equal_direct_embedding()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-vit")), "tiny-vit", seed: 11);
        var bytes = Images.Select(n => File.ReadAllBytes(TestPaths.Fixture("images", n))).ToArray();
        var direct = embedder.EncodeImages(bytes.Select(b => new ImagePreprocessor().Preprocess(b, embedder.ImageSize)).ToArray());

        await using var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromSeconds(5), DecodeWorkers = 2 });
        var requests = Enumerable.Range(0, 20).Select(i => pipeline.EmbedAsync(bytes[i % bytes.Length], TestContext.Current.CancellationToken)).ToArray();
        var results = await Task.WhenAll(requests);

        for (int i = 0; i < results.Length; i++)
        {
            Assert.False(results[i].IsRejected);
            Assert.Equal("tiny-vit", results[i].ModelId);
            Assert.Equal("random-11", results[i].ModelVersion);
            var expected = direct[i % bytes.Length];
            Assert.All(expected.Zip(results[i].Embedding!), p => Assert.Equal(p.First, p.Second, 1e-5f));
        }

        // 20 images in batches of at most 4: at least 5 batches, and far fewer than one per image would need
        // unless every batch flushed on the 5-second delay (which would take over a minute).
        Assert.InRange(pipeline.BatchesRun, 5, 20);
    }

    [Fact]
    public async Task A_lone_image_is_flushed_by_the_delay()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-vit")), "tiny-vit", seed: 11);
        await using var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions { MaxBatch = 64, MaxDelay = TimeSpan.FromMilliseconds(30) });
        var result = await pipeline.EmbedAsync(File.ReadAllBytes(TestPaths.Fixture("images", "mosaic.jpg")), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(16, result.Embedding!.Length);
        Assert.Equal(1, pipeline.BatchesRun);
    }

    [Fact]
    public async Task Rejected_images_come_back_with_a_dead_letter_code_without_running_the_model()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-vit")), "tiny-vit", seed: 11);
        await using var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions { Preprocess = new PreprocessOptions { MaxPixels = 1000 } });
        var bomb = await pipeline.EmbedAsync(File.ReadAllBytes(TestPaths.Fixture("images", "mosaic.jpg")), TestContext.Current.CancellationToken);
        var empty = await pipeline.EmbedAsync(Array.Empty<byte>(), TestContext.Current.CancellationToken);
        Assert.Equal("image_too_many_pixels", bomb.ReasonCode);
        Assert.Equal("image_empty", empty.ReasonCode);
        Assert.Null(bomb.Embedding);
        Assert.Equal("tiny-vit", bomb.ModelId);
        Assert.Equal(0, pipeline.BatchesRun);
    }
}
