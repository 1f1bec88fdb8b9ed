using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// The AVX-512 dot-product kernel for float32 query blocks, laid out as a matrix product's micro-kernel: queries are
/// packed into panels of sixteen (dimension-major, one register holds one dimension of sixteen queries), each
/// reference element is broadcast, and one fused multiply-add updates sixteen dot products. No horizontal sums: the
/// 4 × 3 tiles of <see cref="TileKernels"/> spend a reduction per dot product, which at d = 512 costs about as much as
/// the products themselves. Partial sums restart every <see cref="Block"/> dimensions and are added to a running total,
/// so each dot product's rounding depth is <see cref="Block"/> + d / <see cref="Block"/> (<see cref="GramKernel{T}.Margin"/>).
/// </summary>
internal static class PanelKernel
{
    /// <summary>Queries per panel: the float lanes of one 512-bit register.</summary>
    public const int Lanes = 16;

    /// <summary>References per tile: two panels × twelve references = 24 accumulators of the 32 registers.</summary>
    public const int Refs = 12;

    /// <summary>Dimensions summed in registers before the partial sums are added to the totals.</summary>
    public const int Block = 32;

    /// <summary>Rounding depth of one dot product: a partial sum of at most <see cref="Block"/> products, then one
    /// addition per block.</summary>
    public static int Depth(int dimension) => Block + ((dimension + Block - 1) / Block) + 1;

    /// <summary>
    /// Packs <paramref name="count"/> contiguous rows of <paramref name="dimension"/> floats into panels: panel p,
    /// dimension t, lane l at ((p·d) + t)·16 + l. Lanes past the last row stay as they are (zeros in a fresh buffer).
    /// </summary>
    public static void Pack(ReadOnlySpan<float> rows, int count, int dimension, Span<float> packed)
    {
        for (int q = 0; q < count; q++)
        {
            int p = q / Lanes, lane = q % Lanes;
            ReadOnlySpan<float> row = rows.Slice(q * dimension, dimension);
            Span<float> panel = packed.Slice(p * dimension * Lanes);
            for (int t = 0; t < dimension; t++)
            {
                panel[(t * Lanes) + lane] = row[t];
            }
        }
    }

    /// <summary>Dot products of two panels (32 queries) with twelve consecutive reference rows: totals[(j·2 + p)·16 + lane] for reference j, panel p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(ReadOnlySpan<float> panels, ReadOnlySpan<float> refs, int dimension, Span<float> totals)
    {
        int d = dimension;
        ref float pa = ref MemoryMarshal.GetReference(panels);
        ref float pb = ref Unsafe.Add(ref pa, d * Lanes);
        ref float pr = ref MemoryMarshal.GetReference(refs);
        ref float pt = ref MemoryMarshal.GetReference(totals);
        for (int t0 = 0; t0 < d; t0 += Block)
        {
            int t1 = Math.Min(d, t0 + Block);
            Vector512<float> a0a = default, a0b = default, a1a = default, a1b = default, a2a = default, a2b = default;
            Vector512<float> a3a = default, a3b = default, a4a = default, a4b = default, a5a = default, a5b = default;
            Vector512<float> a6a = default, a6b = default, a7a = default, a7b = default, a8a = default, a8b = default;
            Vector512<float> a9a = default, a9b = default, a10a = default, a10b = default, a11a = default, a11b = default;
            for (int t = t0; t < t1; t++)
            {
                Vector512<float> qa = Vector512.LoadUnsafe(ref pa, (nuint)(t * Lanes));
                Vector512<float> qb = Vector512.LoadUnsafe(ref pb, (nuint)(t * Lanes));
                Vector512<float> b;
                b = Vector512.Create(Unsafe.Add(ref pr, t));
                a0a = Avx512F.FusedMultiplyAdd(qa, b, a0a); a0b = Avx512F.FusedMultiplyAdd(qb, b, a0b);
                b = Vector512.Create(Unsafe.Add(ref pr, d + t));
                a1a = Avx512F.FusedMultiplyAdd(qa, b, a1a); a1b = Avx512F.FusedMultiplyAdd(qb, b, a1b);
                b = Vector512.Create(Unsafe.Add(ref pr, (2 * d) + t));
                a2a = Avx512F.FusedMultiplyAdd(qa, b, a2a); a2b = Avx512F.FusedMultiplyAdd(qb, b, a2b);
                b = Vector512.Create(Unsafe.Add(ref pr, (3 * d) + t));
                a3a = Avx512F.FusedMultiplyAdd(qa, b, a3a); a3b = Avx512F.FusedMultiplyAdd(qb, b, a3b);
                b = Vector512.Create(Unsafe.Add(ref pr, (4 * d) + t));
                a4a = Avx512F.FusedMultiplyAdd(qa, b, a4a); a4b = Avx512F.FusedMultiplyAdd(qb, b, a4b);
                b = Vector512.Create(Unsafe.Add(ref pr, (5 * d) + t));
                a5a = Avx512F.FusedMultiplyAdd(qa, b, a5a); a5b = Avx512F.FusedMultiplyAdd(qb, b, a5b);
                b = Vector512.Create(Unsafe.Add(ref pr, (6 * d) + t));
                a6a = Avx512F.FusedMultiplyAdd(qa, b, a6a); a6b = Avx512F.FusedMultiplyAdd(qb, b, a6b);
                b = Vector512.Create(Unsafe.Add(ref pr, (7 * d) + t));
                a7a = Avx512F.FusedMultiplyAdd(qa, b, a7a); a7b = Avx512F.FusedMultiplyAdd(qb, b, a7b);
                b = Vector512.Create(Unsafe.Add(ref pr, (8 * d) + t));
                a8a = Avx512F.FusedMultiplyAdd(qa, b, a8a); a8b = Avx512F.FusedMultiplyAdd(qb, b, a8b);
                b = Vector512.Create(Unsafe.Add(ref pr, (9 * d) + t));
                a9a = Avx512F.FusedMultiplyAdd(qa, b, a9a); a9b = Avx512F.FusedMultiplyAdd(qb, b, a9b);
                b = Vector512.Create(Unsafe.Add(ref pr, (10 * d) + t));
                a10a = Avx512F.FusedMultiplyAdd(qa, b, a10a); a10b = Avx512F.FusedMultiplyAdd(qb, b, a10b);
                b = Vector512.Create(Unsafe.Add(ref pr, (11 * d) + t));
                a11a = Avx512F.FusedMultiplyAdd(qa, b, a11a); a11b = Avx512F.FusedMultiplyAdd(qb, b, a11b);
            }

            if (t0 == 0)
            {
                a0a.StoreUnsafe(ref pt, 0);
                a0b.StoreUnsafe(ref pt, 16);
                a1a.StoreUnsafe(ref pt, 32);
                a1b.StoreUnsafe(ref pt, 48);
                a2a.StoreUnsafe(ref pt, 64);
                a2b.StoreUnsafe(ref pt, 80);
                a3a.StoreUnsafe(ref pt, 96);
                a3b.StoreUnsafe(ref pt, 112);
                a4a.StoreUnsafe(ref pt, 128);
                a4b.StoreUnsafe(ref pt, 144);
                a5a.StoreUnsafe(ref pt, 160);
                a5b.StoreUnsafe(ref pt, 176);
                a6a.StoreUnsafe(ref pt, 192);
                a6b.StoreUnsafe(ref pt, 208);
                a7a.StoreUnsafe(ref pt, 224);
                a7b.StoreUnsafe(ref pt, 240);
                a8a.StoreUnsafe(ref pt, 256);
                a8b.StoreUnsafe(ref pt, 272);
                a9a.StoreUnsafe(ref pt, 288);
                a9b.StoreUnsafe(ref pt, 304);
                a10a.StoreUnsafe(ref pt, 320);
                a10b.StoreUnsafe(ref pt, 336);
                a11a.StoreUnsafe(ref pt, 352);
                a11b.StoreUnsafe(ref pt, 368);
            }
            else
            {
                (Vector512.LoadUnsafe(ref pt, 0) + a0a).StoreUnsafe(ref pt, 0);
                (Vector512.LoadUnsafe(ref pt, 16) + a0b).StoreUnsafe(ref pt, 16);
                (Vector512.LoadUnsafe(ref pt, 32) + a1a).StoreUnsafe(ref pt, 32);
                (Vector512.LoadUnsafe(ref pt, 48) + a1b).StoreUnsafe(ref pt, 48);
                (Vector512.LoadUnsafe(ref pt, 64) + a2a).StoreUnsafe(ref pt, 64);
                (Vector512.LoadUnsafe(ref pt, 80) + a2b).StoreUnsafe(ref pt, 80);
                (Vector512.LoadUnsafe(ref pt, 96) + a3a).StoreUnsafe(ref pt, 96);
                (Vector512.LoadUnsafe(ref pt, 112) + a3b).StoreUnsafe(ref pt, 112);
                (Vector512.LoadUnsafe(ref pt, 128) + a4a).StoreUnsafe(ref pt, 128);
                (Vector512.LoadUnsafe(ref pt, 144) + a4b).StoreUnsafe(ref pt, 144);
                (Vector512.LoadUnsafe(ref pt, 160) + a5a).StoreUnsafe(ref pt, 160);
                (Vector512.LoadUnsafe(ref pt, 176) + a5b).StoreUnsafe(ref pt, 176);
                (Vector512.LoadUnsafe(ref pt, 192) + a6a).StoreUnsafe(ref pt, 192);
                (Vector512.LoadUnsafe(ref pt, 208) + a6b).StoreUnsafe(ref pt, 208);
                (Vector512.LoadUnsafe(ref pt, 224) + a7a).StoreUnsafe(ref pt, 224);
                (Vector512.LoadUnsafe(ref pt, 240) + a7b).StoreUnsafe(ref pt, 240);
                (Vector512.LoadUnsafe(ref pt, 256) + a8a).StoreUnsafe(ref pt, 256);
                (Vector512.LoadUnsafe(ref pt, 272) + a8b).StoreUnsafe(ref pt, 272);
                (Vector512.LoadUnsafe(ref pt, 288) + a9a).StoreUnsafe(ref pt, 288);
                (Vector512.LoadUnsafe(ref pt, 304) + a9b).StoreUnsafe(ref pt, 304);
                (Vector512.LoadUnsafe(ref pt, 320) + a10a).StoreUnsafe(ref pt, 320);
                (Vector512.LoadUnsafe(ref pt, 336) + a10b).StoreUnsafe(ref pt, 336);
                (Vector512.LoadUnsafe(ref pt, 352) + a11a).StoreUnsafe(ref pt, 352);
                (Vector512.LoadUnsafe(ref pt, 368) + a11b).StoreUnsafe(ref pt, 368);
            }
        }
    }

    /// <summary>The same for one reference row (the tail of a chunk): totals[p·16 + lane].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Single(ReadOnlySpan<float> panels, ReadOnlySpan<float> refs, int dimension, Span<float> totals)
    {
        int d = dimension;
        ref float pa = ref MemoryMarshal.GetReference(panels);
        ref float pb = ref Unsafe.Add(ref pa, d * Lanes);
        ref float pr = ref MemoryMarshal.GetReference(refs);
        ref float pt = ref MemoryMarshal.GetReference(totals);
        for (int t0 = 0; t0 < d; t0 += Block)
        {
            int t1 = Math.Min(d, t0 + Block);
            Vector512<float> a0a = default, a0b = default;
            for (int t = t0; t < t1; t++)
            {
                Vector512<float> qa = Vector512.LoadUnsafe(ref pa, (nuint)(t * Lanes));
                Vector512<float> qb = Vector512.LoadUnsafe(ref pb, (nuint)(t * Lanes));
                Vector512<float> b;
                b = Vector512.Create(Unsafe.Add(ref pr, t));
                a0a = Avx512F.FusedMultiplyAdd(qa, b, a0a); a0b = Avx512F.FusedMultiplyAdd(qb, b, a0b);
            }

            if (t0 == 0)
            {
                a0a.StoreUnsafe(ref pt, 0);
                a0b.StoreUnsafe(ref pt, 16);
            }
            else
            {
                (Vector512.LoadUnsafe(ref pt, 0) + a0a).StoreUnsafe(ref pt, 0);
                (Vector512.LoadUnsafe(ref pt, 16) + a0b).StoreUnsafe(ref pt, 16);
            }
        }
    }
}
