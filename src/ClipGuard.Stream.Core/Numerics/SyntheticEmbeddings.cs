using System.Numerics;

namespace ClipGuard.Stream.Core.Numerics;

/// <summary>
/// Embedding-like test data: points around many cluster centres with differing spreads, plus optional planted
/// outliers placed off the clusters. Uniform random vectors would make every k-NN structure look equally bad, so
/// benchmarks and demos use this instead.
/// </summary>
public static class SyntheticEmbeddings
{
    /// <summary>Returns the data and a 0/1 label per row (1 = planted outlier).</summary>
    public static (Matrix<float> Data, int[] Labels) Generate(int rows, int dim, int clusters, double outlierFraction, int seed)
    {
        var rng = new Random(seed);
        var centres = new float[clusters][];
        var spreads = new double[clusters];
        for (int c = 0; c < clusters; c++)
        {
            centres[c] = new float[dim];
            for (int j = 0; j < dim; j++)
            {
                centres[c][j] = (float)Gaussian(rng);
            }

            spreads[c] = (0.25 + (0.5 * rng.NextDouble())) / Math.Sqrt(dim) * 4;
        }

        var data = new Matrix<float>(rows, dim);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = data.Row(i);
            bool outlier = rng.NextDouble() < outlierFraction;
            labels[i] = outlier ? 1 : 0;
            int c = rng.Next(clusters);
            // Outliers sit between two clusters, far from both, at the same norm scale as the data.
            int c2 = rng.Next(clusters);
            for (int j = 0; j < dim; j++)
            {
                double v = outlier
                    ? (0.5 * (centres[c][j] + centres[c2][j])) + (Gaussian(rng) * spreads[c] * 3)
                    : centres[c][j] + (Gaussian(rng) * spreads[c]);
                row[j] = (float)v;
            }
        }

        return (data, labels);
    }

    /// <summary>Rows [start, start + count) as a new matrix.</summary>
    public static Matrix<T> Slice<T>(Matrix<T> m, int start, int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        new(count, m.Cols, m.Data.AsSpan(start * m.Cols, count * m.Cols).ToArray());

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
