using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// The blocked distance kernel: squared distances as ‖q‖² + ‖r‖² − 2 q·r with the dot products of a 4 × 3 tile of
/// queries and references accumulated in SIMD registers along the dimension (on AVX-512, float32 blocks go through
/// <see cref="PanelKernel"/> instead), references walked in cache-sized chunks.
/// Results are approximate (rounding bounded by <see cref="Margin"/>); callers refine candidates with the canonical
/// distance.
/// </summary>
internal static class GramKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int QueryTile = 4;
    private const int RefTile = 3;

    /// <summary>
    /// An upper bound on |approximate − exact| squared distance for squared norms up to the arguments. Each SIMD lane
    /// accumulates d / lanes products with FMA, the lanes are summed pairwise and the tail sequentially, so the dot
    /// product's rounding error is at most γ_n·‖q‖‖r‖ with n = d / lanes + log₂(lanes) + tail (Higham, ch. 3); the
    /// squared distance carries twice that, plus float64 rounding of the norms and of the final sum. On AVX-512 float32
    /// goes through the 512-bit row and <see cref="PanelKernel"/>, whose depths differ.
    /// </summary>
    public static double Margin(int dimension, double querySqNorm, double refSqNorm) => Margin(dimension, querySqNorm, refSqNorm, TileKernels.Wide);

    /// <summary><see cref="Margin(int, double, double)"/> for the 256-bit (<paramref name="wide"/> false) or the
    /// AVX-512 kernels (float32 only; float64 always runs the 256-bit ones).</summary>
    internal static double Margin(int dimension, double querySqNorm, double refSqNorm, bool wide)
    {
        int lanes = typeof(T) == typeof(float) ? 8 : typeof(T) == typeof(double) ? 4 : 1;
        int depth = (dimension / lanes) + (dimension % lanes) + 4;
        if (wide && typeof(T) == typeof(float))
        {
            // The 512-bit row (sixteen lanes, one more level in the lane sum) and the panels.
            depth = Math.Max((dimension / 16) + (dimension % 16) + 5, PanelKernel.Depth(dimension));
        }

        double gamma = depth * UnitRoundoff / (1 - (depth * UnitRoundoff));
        double qr = Math.Sqrt(querySqNorm * refSqNorm);
        return (2.02 * gamma * qr) + (8 * 1.2e-16 * (querySqNorm + refSqNorm)) + 1e-300;
    }

    private static double UnitRoundoff => typeof(T) == typeof(float) ? 5.9604645e-8 : typeof(T) == typeof(double) ? 1.1102230246251565e-16 : 1.1102230246251565e-16;

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
        if (queryCount < QueryTile && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            for (int q = 0; q < queryCount; q++)
            {
                ScanRow(queries.Slice(q * store.Dimension, store.Dimension), queryNorms[q], q, store, refStart, refEnd, ref sink);
            }

            return;
        }

        if (typeof(T) == typeof(float) && TileKernels.Wide)
        {
            ScanPanels(MemoryMarshal.Cast<T, float>(queries), queryNorms, queryCount, store, refStart, refEnd, ref sink);
            return;
        }

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

    /// <summary>
    /// Query rows packed once into panels, references walked in chunks that stay in the L2 cache while every panel
    /// pair passes over them; sixteen distances at a time are screened by the sink's <see cref="ITileSink.MayAccept"/>
    /// before the kept ones reach <see cref="ITileSink.Accept"/> one by one.
    /// </summary>
    private static void ScanPanels<TSink>(
        ReadOnlySpan<float> queries, ReadOnlySpan<double> queryNorms, int queryCount, VectorStore<T> store, int refStart, int refEnd, ref TSink sink)
        where TSink : struct, ITileSink
    {
        const int lanes = PanelKernel.Lanes;
        const int pairLanes = 2 * lanes;
        int d = store.Dimension;
        int padded = (queryCount + pairLanes - 1) / pairLanes * pairLanes;
        float[] packed = ArrayPool<float>.Shared.Rent(padded * d);
        double[] norms = ArrayPool<double>.Shared.Rent(padded);
        try
        {
            packed.AsSpan(0, padded * d).Clear();
            PanelKernel.Pack(queries, queryCount, d, packed);
            norms.AsSpan(0, padded).Clear();
            queryNorms[..queryCount].CopyTo(norms);
            ReadOnlySpan<float> refs = MemoryMarshal.Cast<T, float>(store.Data);
            ReadOnlySpan<double> refNorms = store.SqNorms;
            ReadOnlySpan<bool> active = store.Active;
            Span<float> totals = stackalloc float[PanelKernel.Refs * pairLanes];
            int chunk = Math.Max(PanelKernel.Refs, (384 * 1024) / (sizeof(float) * d) / PanelKernel.Refs * PanelKernel.Refs);
            for (int c0 = refStart; c0 < refEnd; c0 += chunk)
            {
                int c1 = Math.Min(refEnd, c0 + chunk);
                for (int q0 = 0; q0 < queryCount; q0 += pairLanes)
                {
                    ReadOnlySpan<float> pair = packed.AsSpan(q0 * d, pairLanes * d);
                    Vector512<double> normA0 = Vector512.Create<double>(norms.AsSpan(q0)), normA1 = Vector512.Create<double>(norms.AsSpan(q0 + 8));
                    Vector512<double> normB0 = Vector512.Create<double>(norms.AsSpan(q0 + 16)), normB1 = Vector512.Create<double>(norms.AsSpan(q0 + 24));
                    int r0 = c0;
                    for (; r0 + PanelKernel.Refs <= c1; r0 += PanelKernel.Refs)
                    {
                        if (active.Slice(r0, PanelKernel.Refs).IndexOf(true) < 0)
                        {
                            continue;
                        }

                        PanelKernel.Tile(pair, refs.Slice(r0 * d, PanelKernel.Refs * d), d, totals);
                        for (int j = 0; j < PanelKernel.Refs; j++)
                        {
                            int slot = r0 + j;
                            if (active[slot])
                            {
                                Screen(totals.Slice(2 * j * lanes, pairLanes), q0, slot, refNorms[slot], normA0, normA1, normB0, normB1, norms, queryCount, ref sink);
                            }
                        }
                    }

                    for (; r0 < c1; r0++)
                    {
                        if (active[r0])
                        {
                            PanelKernel.Single(pair, refs.Slice(r0 * d, d), d, totals);
                            Screen(totals[..pairLanes], q0, r0, refNorms[r0], normA0, normA1, normB0, normB1, norms, queryCount, ref sink);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
            ArrayPool<double>.Shared.Return(norms);
        }
    }

    /// <summary>
    /// The 32 approximate squared distances of one reference to a panel pair, computed sixteen at a time in float64
    /// exactly as the scalar path does (‖q‖² + ‖r‖² − 2 q·r); only the lanes the sink may keep go to
    /// <see cref="ITileSink.Accept"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Screen<TSink>(
        ReadOnlySpan<float> dots, int q0, int slot, double refNorm, Vector512<double> normA0, Vector512<double> normA1, Vector512<double> normB0,
        Vector512<double> normB1, double[] norms, int queryCount, ref TSink sink)
        where TSink : struct, ITileSink
    {
        Vector512<double> rn = Vector512.Create(refNorm);
        Vector512<float> a = Vector512.Create(dots), b = Vector512.Create(dots[PanelKernel.Lanes..]);
        Vector512<double> a0 = (normA0 + rn) - (Avx512F.ConvertToVector512Double(a.GetLower()) * 2.0);
        Vector512<double> a1 = (normA1 + rn) - (Avx512F.ConvertToVector512Double(a.GetUpper()) * 2.0);
        Vector512<double> b0 = (normB0 + rn) - (Avx512F.ConvertToVector512Double(b.GetLower()) * 2.0);
        Vector512<double> b1 = (normB1 + rn) - (Avx512F.ConvertToVector512Double(b.GetUpper()) * 2.0);
        uint mask = sink.MayAccept(q0, slot, a0, a1) | (sink.MayAccept(q0 + PanelKernel.Lanes, slot, b0, b1) << PanelKernel.Lanes);
        while (mask != 0)
        {
            int lane = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            int q = q0 + lane;
            if (q < queryCount)
            {
                sink.Accept(q, slot, norms[q] + refNorm - (2 * (double)dots[lane]));
            }
        }
    }

    /// <summary>One query row against references [refStart, refEnd), four at a time.</summary>
    private static void ScanRow<TSink>(ReadOnlySpan<T> query, double queryNorm, int queryIndex, VectorStore<T> store, int refStart, int refEnd, ref TSink sink)
        where TSink : struct, ITileSink
    {
        const int width = 4;
        int d = store.Dimension;
        ReadOnlySpan<T> refs = store.Data;
        ReadOnlySpan<double> refNorms = store.SqNorms;
        ReadOnlySpan<bool> active = store.Active;
        Span<double> dots = stackalloc double[width];
        for (int r0 = refStart; r0 < refEnd; r0 += width)
        {
            int last = refEnd - 1;
            int ra = r0, rb = Math.Min(r0 + 1, last), rc = Math.Min(r0 + 2, last), rd = Math.Min(r0 + 3, last);
            if (typeof(T) == typeof(float) && TileKernels.Wide)
            {
                TileKernels.Row512(
                    MemoryMarshal.Cast<T, float>(query), MemoryMarshal.Cast<T, float>(refs.Slice(ra * d, d)), MemoryMarshal.Cast<T, float>(refs.Slice(rb * d, d)),
                    MemoryMarshal.Cast<T, float>(refs.Slice(rc * d, d)), MemoryMarshal.Cast<T, float>(refs.Slice(rd * d, d)), dots);
            }
            else if (typeof(T) == typeof(float))
            {
                TileKernels.Row(
                    MemoryMarshal.Cast<T, float>(query), MemoryMarshal.Cast<T, float>(refs.Slice(ra * d, d)), MemoryMarshal.Cast<T, float>(refs.Slice(rb * d, d)),
                    MemoryMarshal.Cast<T, float>(refs.Slice(rc * d, d)), MemoryMarshal.Cast<T, float>(refs.Slice(rd * d, d)), dots);
            }
            else
            {
                TileKernels.Row(
                    MemoryMarshal.Cast<T, double>(query), MemoryMarshal.Cast<T, double>(refs.Slice(ra * d, d)), MemoryMarshal.Cast<T, double>(refs.Slice(rb * d, d)),
                    MemoryMarshal.Cast<T, double>(refs.Slice(rc * d, d)), MemoryMarshal.Cast<T, double>(refs.Slice(rd * d, d)), dots);
            }

            int n = Math.Min(width, refEnd - r0);
            for (int j = 0; j < n; j++)
            {
                int slot = r0 + j;
                if (active[slot])
                {
                    sink.Accept(queryIndex, slot, queryNorm + refNorms[slot] - (2 * dots[j]));
                }
            }
        }
    }

    /// <summary>Twelve dot products, four query rows against three reference rows, in one pass over the dimension.</summary>
    private static void Tile(
        ReadOnlySpan<T> q0, ReadOnlySpan<T> q1, ReadOnlySpan<T> q2, ReadOnlySpan<T> q3,
        ReadOnlySpan<T> r0, ReadOnlySpan<T> r1, ReadOnlySpan<T> r2, Span<double> dots)
    {
        // Generic Vector<T> arithmetic does not become FMA instructions (measured: 8 vs 45 GFLOP/s on one core), so
        // the two element types get their own kernels.
        if (typeof(T) == typeof(float))
        {
            TileKernels.Tile(
                MemoryMarshal.Cast<T, float>(q0), MemoryMarshal.Cast<T, float>(q1), MemoryMarshal.Cast<T, float>(q2), MemoryMarshal.Cast<T, float>(q3),
                MemoryMarshal.Cast<T, float>(r0), MemoryMarshal.Cast<T, float>(r1), MemoryMarshal.Cast<T, float>(r2), dots);
            return;
        }

        if (typeof(T) == typeof(double))
        {
            TileKernels.Tile(
                MemoryMarshal.Cast<T, double>(q0), MemoryMarshal.Cast<T, double>(q1), MemoryMarshal.Cast<T, double>(q2), MemoryMarshal.Cast<T, double>(q3),
                MemoryMarshal.Cast<T, double>(r0), MemoryMarshal.Cast<T, double>(r1), MemoryMarshal.Cast<T, double>(r2), dots);
            return;
        }

        for (int j = 0; j < RefTile; j++)
        {
            ReadOnlySpan<T> r = j == 0 ? r0 : j == 1 ? r1 : r2;
            dots[j] = Dot(q0, r);
            dots[RefTile + j] = Dot(q1, r);
            dots[(2 * RefTile) + j] = Dot(q2, r);
            dots[(3 * RefTile) + j] = Dot(q3, r);
        }
    }

    private static double Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += double.CreateTruncating(a[i]) * double.CreateTruncating(b[i]);
        }

        return sum;
    }
}
