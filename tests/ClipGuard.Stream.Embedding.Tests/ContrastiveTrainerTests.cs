using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Embedding.Tests;

/// <summary>
/// The contrastive trainer on a toy problem: four "classes" of noisy images, each with its own caption. Training must
/// lower the loss, make images match their own caption, be reproducible for a seed, and refuse malformed batches.
/// </summary>
public sealed class ContrastiveTrainerTests
{
    private const string Tiny = """
        {
          "embed_dim": 16,
          "vision_cfg": { "image_size": 8, "layers": 1, "width": 16, "patch_size": 4, "head_width": 8 },
          "text_cfg": { "context_length": 8, "vocab_size": 64, "width": 16, "heads": 2, "layers": 1 }
        }
        """;

    private static readonly int[][] Captions = [.. Enumerable.Range(0, 4).Select(c => new[] { 62, 10 + c, 20 + c, 63, 0, 0, 0, 0 })];

    [Fact]
    public void TrainingLowersTheLossAndMatchesImagesToTheirCaptions()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Parse(Tiny), "tiny", seed: 3, new EmbedderOptions { Threads = 1 });
        var (first, last) = Train(embedder, steps: 60);
        Assert.True(last < first * 0.5, $"loss went from {first} to {last}");

        var (pixels, classes) = Batch(new Random(99), 40);
        float[][] images = embedder.EncodeImages([.. Enumerable.Range(0, 40).Select(i => pixels.AsSpan(i * 192, 192).ToArray())]);
        float[][] texts = embedder.EncodeTokens(Captions);
        int correct = Enumerable.Range(0, 40).Count(i =>
            Enumerable.Range(0, 4).MaxBy(c => images[i].Zip(texts[c], (p, q) => p * q).Sum()) == classes[i]);
        Assert.True(correct >= 36, $"{correct} of 40 images closest to their own caption");
    }

    [Fact]
    public void TheSameSeedTrainsTheSameWeights()
    {
        using var a = ClipEmbedder.CreateRandom(ClipModelConfig.Parse(Tiny), "tiny", seed: 5, new EmbedderOptions { Threads = 1 });
        using var b = ClipEmbedder.CreateRandom(ClipModelConfig.Parse(Tiny), "tiny", seed: 5, new EmbedderOptions { Threads = 1 });
        Assert.Equal(Train(a, steps: 10), Train(b, steps: 10));
        var (pixels, _) = Batch(new Random(1), 2);
        Assert.Equal(a.EncodeImages([pixels[..192]])[0], b.EncodeImages([pixels[..192]])[0]);
    }

    [Fact]
    public void MalformedBatchesAreRefusedBeforeAnyStep()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Parse(Tiny), "tiny", seed: 1);
        using var trainer = new ContrastiveTrainer(embedder, new ContrastiveTrainingOptions(), totalSteps: 10);
        var (pixels, _) = Batch(new Random(1), 4);
        Assert.Contains("used by no image", Assert.Throws<ArgumentException>(() => trainer.Step(pixels, 4, Captions, [0, 0, 1, 1])).Message, StringComparison.Ordinal);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => trainer.Step(pixels, 4, Captions, [0, 1, 2, 4])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => trainer.Step(pixels[..100], 4, Captions, [0, 1, 2, 3]));
        Assert.Equal(0, trainer.StepsTaken);
        Assert.Throws<ArgumentException>(() => new ContrastiveTrainingOptions { LearningRate = -1 }.Validate());
    }

    private static (double First, double Last) Train(ClipEmbedder embedder, int steps)
    {
        using var trainer = new ContrastiveTrainer(embedder, new ContrastiveTrainingOptions { LearningRate = 5e-3, WeightDecay = 0 }, steps);
        var rng = new Random(7);
        double first = 0, last = 0;
        for (int s = 0; s < steps; s++)
        {
            var (pixels, classes) = Batch(rng, 32);
            double loss = trainer.Step(pixels, 32, Captions, classes);
            first = s == 0 ? loss : first;
            last = loss;
        }

        return (first, last);
    }

    // Class c lights up quadrant c of an 8x8 image (all three channels), plus noise; every class appears in a batch.
    private static (float[] Pixels, int[] Classes) Batch(Random rng, int n)
    {
        var pixels = new float[n * 192];
        int[] classes = [.. Enumerable.Range(0, n).Select(i => i % 4)];
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                for (int y = 0; y < 8; y++)
                {
                    for (int x = 0; x < 8; x++)
                    {
                        int quadrant = (y / 4 * 2) + (x / 4);
                        pixels[(i * 192) + (ch * 64) + (y * 8) + x] = (quadrant == classes[i] ? 1.5f : -0.5f) + (float)((rng.NextDouble() - 0.5) * 0.6);
                    }
                }
            }
        }

        return (pixels, classes);
    }
}
