using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.Tests;

/// <summary>Deterministic synthetic embeddings: Gaussian blobs of different spreads.</summary>
internal static class TestData
{
    public static Matrix<double> Blobs(int rows, int dim, int seed, int blobs = 4)
    {
        var rng = new Random(seed);
        var centres = new double[blobs][];
        for (int b = 0; b < blobs; b++)
        {
            centres[b] = new double[dim];
            for (int j = 0; j < dim; j++)
            {
                centres[b][j] = Gaussian(rng) * 3;
            }
        }

        var m = new Matrix<double>(rows, dim);
        for (int i = 0; i < rows; i++)
        {
            int b = rng.Next(blobs);
            double spread = 0.3 + (0.4 * b);
            Span<double> row = m.Row(i);
            for (int j = 0; j < dim; j++)
            {
                row[j] = centres[b][j] + (Gaussian(rng) * spread);
            }
        }

        return m;
    }

    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
