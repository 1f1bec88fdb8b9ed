using System.Numerics.Tensors;
using ClipGuard.Stream.Index.Faiss;

namespace ClipGuard.Stream.Index.Ivf;

/// <summary>
/// Places IVF centroids: k-means++ seeding on a sample, then FAISS's k-means from those seeds. FAISS alone seeds with
/// random points, which on clustered data leaves whole clusters without a centroid (about a third of them when lists
/// ≈ clusters) and merges them into oversized lists; D² seeding gives nearly every cluster its own centroid.
/// </summary>
internal static class IvfTrainer
{
    /// <summary>Sampled training points per list (FAISS warns below 39).</summary>
    public const int PointsPerList = 48;

    public const int Iterations = 10;

    public static unsafe float[] Train(ReadOnlySpan<float> vectors, int rows, int dimension, int lists, int threads, int seed)
    {
        float[] sample = Sample(vectors, rows, dimension, Math.Min(rows, PointsPerList * lists));
        int n = sample.Length / dimension;
        float[] centroids = SeedPlusPlus(sample, n, dimension, lists, threads, seed);
        fixed (float* x = sample)
        fixed (float* c = centroids)
        {
            FaissNative.Check(FaissNative.KMeansFrom((nuint)dimension, (nuint)n, (nuint)lists, x, c, Iterations, seed), "k-means");
        }

        return centroids;
    }

    /// <summary>Evenly strided rows: deterministic, and spread over the whole batch rather than its prefix.</summary>
    private static float[] Sample(ReadOnlySpan<float> vectors, int rows, int dimension, int count)
    {
        var sample = new float[(long)count * dimension];
        for (int i = 0; i < count; i++)
        {
            long row = (long)i * rows / count;
            vectors.Slice((int)(row * dimension), dimension).CopyTo(sample.AsSpan(i * dimension, dimension));
        }

        return sample;
    }

    /// <summary>k-means++: each next seed is a sample point drawn with probability ∝ its squared distance to the seeds so far.</summary>
    private static float[] SeedPlusPlus(float[] sample, int n, int dimension, int lists, int threads, int seed)
    {
        var rng = new Random(seed);
        var centroids = new float[(long)lists * dimension];
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        int chosen = rng.Next(n);
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        int chunk = Math.Max(256, n / (threads * 4));
        for (int c = 0; c < lists; c++)
        {
            sample.AsSpan(chosen * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
            int centre = chosen;
            Parallel.For(0, (n + chunk - 1) / chunk, options, part =>
            {
                ReadOnlySpan<float> seedRow = sample.AsSpan(centre * dimension, dimension);
                for (int i = part * chunk; i < Math.Min(n, (part + 1) * chunk); i++)
                {
                    float distance = TensorPrimitives.Distance(sample.AsSpan(i * dimension, dimension), seedRow);
                    nearest[i] = Math.Min(nearest[i], (double)distance * distance);
                }
            });

            double total = 0;
            foreach (double d in nearest)
            {
                total += d;
            }

            // Every point coincides with a seed: any further seed is as good as another.
            double target = rng.NextDouble() * total;
            chosen = total > 0 ? n - 1 : rng.Next(n);
            for (int i = 0; i < n && total > 0; i++)
            {
                target -= nearest[i];
                if (target < 0)
                {
                    chosen = i;
                    break;
                }
            }
        }

        return centroids;
    }
}
