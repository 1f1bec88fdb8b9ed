using System.Numerics;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>Maps raw embeddings into the space the store works in: unit vectors for cosine, and −0 made +0 so equal
/// vectors are equal byte for byte (the duplicate policy compares bytes).</summary>
public static class MetricSpace
{
    public static void Prepare<T>(ReadOnlySpan<T> raw, Span<T> destination, DistanceMetric metric, int rowForErrors = -1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (metric == DistanceMetric.Cosine)
        {
            double sq = 0;
            foreach (T v in raw)
            {
                double x = double.CreateTruncating(v);
                sq += x * x;
            }

            if (sq == 0 || !double.IsFinite(sq))
            {
                throw new ScoringInputException(
                    $"row {rowForErrors} has {(sq == 0 ? "zero norm" : "a non-finite norm")}: cosine distance is undefined for it");
            }

            double inv = 1.0 / Math.Sqrt(sq);
            for (int i = 0; i < raw.Length; i++)
            {
                destination[i] = T.CreateTruncating(double.CreateTruncating(raw[i]) * inv) + T.Zero;
            }

            return;
        }

        for (int i = 0; i < raw.Length; i++)
        {
            destination[i] = raw[i] + T.Zero;
        }
    }

    public static Matrix<T> Prepare<T>(Matrix<T> raw, DistanceMetric metric)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new Matrix<T>(raw.Rows, raw.Cols);
        for (int i = 0; i < raw.Rows; i++)
        {
            Prepare(raw.RowReadOnly(i), result.Row(i), metric, i);
        }

        return result;
    }
}
