using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// The one canonical distance every score is computed from: the squared difference summed in double precision in a
/// fixed order. It is symmetric bit for bit, positive for any two distinct vectors, and identical whether a neighbour
/// was found by a from-scratch search or by an incremental update, which is what makes exact maintenance testable.
/// </summary>
public static class Distances
{
    public static double SquaredNorm<T>(ReadOnlySpan<T> v)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T x in v)
        {
            double d = double.CreateTruncating(x);
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Σ (a_i − b_i)² accumulated in double.</summary>
    public static double SquaredDifference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return SquaredDifference(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b));
        }

        if (typeof(T) == typeof(double))
        {
            return SquaredDifference(MemoryMarshal.Cast<T, double>(a), MemoryMarshal.Cast<T, double>(b));
        }

        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = double.CreateTruncating(a[i]) - double.CreateTruncating(b[i]);
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Maps a canonical squared difference to the metric's distance (monotone, so orders agree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FromSquared(double squared, DistanceMetric metric) =>
        metric == DistanceMetric.Euclidean ? Math.Sqrt(squared) : 0.5 * squared;

    private static double SquaredDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("vectors differ in length");
        }

        int i = 0;
        Vector256<double> acc0 = Vector256<double>.Zero, acc1 = Vector256<double>.Zero;
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        for (; i <= a.Length - 8; i += 8)
        {
            Vector256<double> d0 = Vector256.LoadUnsafe(ref ra, (nuint)i) - Vector256.LoadUnsafe(ref rb, (nuint)i);
            Vector256<double> d1 = Vector256.LoadUnsafe(ref ra, (nuint)(i + 4)) - Vector256.LoadUnsafe(ref rb, (nuint)(i + 4));
            acc0 += d0 * d0;
            acc1 += d1 * d1;
        }

        double sum = Vector256.Sum(acc0 + acc1);
        for (; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    private static double SquaredDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("vectors differ in length");
        }

        int i = 0;
        Vector256<double> acc0 = Vector256<double>.Zero, acc1 = Vector256<double>.Zero;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        for (; i <= a.Length - 8; i += 8)
        {
            (Vector256<double> a0, Vector256<double> a1) = Vector256.Widen(Vector256.LoadUnsafe(ref ra, (nuint)i));
            (Vector256<double> b0, Vector256<double> b1) = Vector256.Widen(Vector256.LoadUnsafe(ref rb, (nuint)i));
            Vector256<double> d0 = a0 - b0, d1 = a1 - b1;
            acc0 += d0 * d0;
            acc1 += d1 * d1;
        }

        double sum = Vector256.Sum(acc0 + acc1);
        for (; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }
}
