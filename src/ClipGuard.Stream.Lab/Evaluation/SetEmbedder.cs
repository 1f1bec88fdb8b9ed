using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Lab.Data;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Embeds an image set in batches with the lab's preprocessing, reporting progress.</summary>
public static class SetEmbedder
{
    public const int BatchSize = 500;

    public static float[][] Embed(ClipEmbedder embedder, ImageSet set, ILabReporter reporter, string stage)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(reporter);
        var result = new float[set.Count][];
        for (int start = 0; start < set.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, set.Count - start);
            var pixels = new float[n][];
            Parallel.For(0, n, j => pixels[j] = LabImages.ModelInput(set.Image(start + j), set.Width, set.Height, embedder.ImageSize));
            embedder.EncodeImages(pixels).CopyTo(result, start);
            reporter.Progress(stage, start + n, set.Count);
        }

        return result;
    }
}
