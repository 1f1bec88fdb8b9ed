using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// The blocked distance kernel: squared distances as ‖q‖² + ‖r‖² − 2 q·r with the dot products of a 4 × 3 tile of
/// queries and references accumulated in SIMD registers along the dimension, references walked in cache-sized chunks.
/// Results are approximate (rounding bounded by <see cref="Margin"/>); callers refine candidates with the canonical
/// distance.
/// </summary>
internal static class GramKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int QueryTile = 4;
    private const int RefTile = 3;

    /// <summary>An upper bound on |approximate − exact| squared distance for norms ‖q‖², ‖r‖² ≤ the arguments.</summary>
    public static double Margin(int dimension, double querySqNorm, double refSqNorm) =>
        ((dimension + 8) * MachineEpsilon * (querySqNorm + refSqNorm)) + 1e-300;

    private static double MachineEpsilon => typeof(T) == typeof(float) ? 1.1920929e-7 : 2.220446049250313e-16;

    /// <summary>
    /// Scans references [refStart, refEnd) of <paramref name="store"/> for <paramref name="queryCount"/> query rows laid
    /// out contiguously in <paramref name="queries"/> with squared norms <paramref name="queryNorms"/>.
    /// </summary>
    public static void Scan<TSink>(
        ReadOnlySpan<T> queries,
        ReadOnlySpan<double> queryNorms,
        int queryCount,
        VectorStore<T> store,
        int refStart,
        int refEnd,
        ref TSink sink)
        where TSink : struct, ITileSink
    {
        int d = store.Dimension;
        ReadOnlySpan<T> refs = store.Data;
        ReadOnlySpan<double> refNorms = store.SqNorms;
        ReadOnlySpan<bool> active = store.Active;
        Span<double> dots = stackalloc double[QueryTile * RefTile];
        int chunk = Math.Max(RefTile, (256 * 1024) / (Unsafe.SizeOf<T>() * d) / RefTile * RefTile);
        for (int c0 = refStart; c0 < refEnd; c0 += chunk)
        {
            int c1 = Math.Min(refEnd, c0 + chunk);
            for (int q0 = 0; q0 < queryCount; q0 += QueryTile)
            {
                int qa = q0, qb = Math.Min(q0 + 1, queryCount - 1), qc = Math.Min(q0 + 2, queryCount - 1), qd = Math.Min(q0 + 3, queryCount - 1);
                ReadOnlySpan<T> qRowA = queries.Slice(qa * d, d), qRowB = queries.Slice(qb * d, d);
                ReadOnlySpan<T> qRowC = queries.Slice(qc * d, d), qRowD = queries.Slice(qd * d, d);
                for (int r0 = c0; r0 < c1; r0 += RefTile)
                {
                    int ra = r0, rb = Math.Min(r0 + 1, c1 - 1), rc = Math.Min(r0 + 2, c1 - 1);
                    if (!active[ra] && !active[rb] && !active[rc])
                    {
                        continue;
                    }

                    Tile(qRowA, qRowB, qRowC, qRowD, refs.Slice(ra * d, d), refs.Slice(rb * d, d), refs.Slice(rc * d, d), dots);
                    int qn = Math.Min(QueryTile, queryCount - q0);
                    int rn = Math.Min(RefTile, c1 - r0);
                    for (int i = 0; i < qn; i++)
                    {
                        double qNorm = queryNorms[q0 + i];
                        for (int j = 0; j < rn; j++)
                        {
                            int slot = r0 + j;
                            if (active[slot])
                            {
                                sink.Accept(q0 + i, slot, qNorm + refNorms[slot] - (2 * dots[(i * RefTile) + j]));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Twelve dot products, four query rows against three reference rows, in one pass over the dimension.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(
        ReadOnlySpan<T> q0, ReadOnlySpan<T> q1, ReadOnlySpan<T> q2, ReadOnlySpan<T> q3,
        ReadOnlySpan<T> r0, ReadOnlySpan<T> r1, ReadOnlySpan<T> r2, Span<double> dots)
    {
        int d = q0.Length;
        int w = Vector<T>.Count;
        Vector<T> a00 = default, a01 = default, a02 = default;
        Vector<T> a10 = default, a11 = default, a12 = default;
        Vector<T> a20 = default, a21 = default, a22 = default;
        Vector<T> a30 = default, a31 = default, a32 = default;
        ref T pq0 = ref MemoryMarshal.GetReference(q0), pq1 = ref MemoryMarshal.GetReference(q1);
        ref T pq2 = ref MemoryMarshal.GetReference(q2), pq3 = ref MemoryMarshal.GetReference(q3);
        ref T pr0 = ref MemoryMarshal.GetReference(r0), pr1 = ref MemoryMarshal.GetReference(r1), pr2 = ref MemoryMarshal.GetReference(r2);
        int i = 0;
        for (; i <= d - w; i += w)
        {
            nuint o = (nuint)i;
            Vector<T> vr0 = Vector.LoadUnsafe(ref pr0, o), vr1 = Vector.LoadUnsafe(ref pr1, o), vr2 = Vector.LoadUnsafe(ref pr2, o);
            Vector<T> v = Vector.LoadUnsafe(ref pq0, o);
            a00 = Fma(v, vr0, a00); a01 = Fma(v, vr1, a01); a02 = Fma(v, vr2, a02);
            v = Vector.LoadUnsafe(ref pq1, o);
            a10 = Fma(v, vr0, a10); a11 = Fma(v, vr1, a11); a12 = Fma(v, vr2, a12);
            v = Vector.LoadUnsafe(ref pq2, o);
            a20 = Fma(v, vr0, a20); a21 = Fma(v, vr1, a21); a22 = Fma(v, vr2, a22);
            v = Vector.LoadUnsafe(ref pq3, o);
            a30 = Fma(v, vr0, a30); a31 = Fma(v, vr1, a31); a32 = Fma(v, vr2, a32);
        }

        dots[0] = Sum(a00); dots[1] = Sum(a01); dots[2] = Sum(a02);
        dots[3] = Sum(a10); dots[4] = Sum(a11); dots[5] = Sum(a12);
        dots[6] = Sum(a20); dots[7] = Sum(a21); dots[8] = Sum(a22);
        dots[9] = Sum(a30); dots[10] = Sum(a31); dots[11] = Sum(a32);
        for (; i < d; i++)
        {
            double x0 = double.CreateTruncating(r0[i]), x1 = double.CreateTruncating(r1[i]), x2 = double.CreateTruncating(r2[i]);
            double y0 = double.CreateTruncating(q0[i]), y1 = double.CreateTruncating(q1[i]);
            double y2 = double.CreateTruncating(q2[i]), y3 = double.CreateTruncating(q3[i]);
            dots[0] += y0 * x0; dots[1] += y0 * x1; dots[2] += y0 * x2;
            dots[3] += y1 * x0; dots[4] += y1 * x1; dots[5] += y1 * x2;
            dots[6] += y2 * x0; dots[7] += y2 * x1; dots[8] += y2 * x2;
            dots[9] += y3 * x0; dots[10] += y3 * x1; dots[11] += y3 * x2;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(Vector<T> v) => double.CreateTruncating(Vector.Sum(v));
}
