using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// The register-blocked 4 × 3 dot-product micro-kernels: twelve accumulators, seven loads per twelve fused
/// multiply-adds, so the loop is bound by FMA throughput rather than by memory. 256-bit forms for AVX2, 512-bit forms
/// (<see cref="Wide"/>: only the single-query row; blocks of queries go to <see cref="PanelKernel"/>) where the CPU has AVX-512.
/// </summary>
internal static class TileKernels
{
    /// <summary>Whether the 512-bit kernels run: the CPU has AVX-512F and the runtime accelerates 512-bit vectors
    /// (<c>DOTNET_EnableAVX512F=0</c> turns them off).</summary>
    public static readonly bool Wide = Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(
        ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, ReadOnlySpan<float> q2, ReadOnlySpan<float> q3,
        ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, ReadOnlySpan<float> r2, Span<double> dots)
    {
        int d = q0.Length;
        ref float pq0 = ref MemoryMarshal.GetReference(q0), pq1 = ref MemoryMarshal.GetReference(q1);
        ref float pq2 = ref MemoryMarshal.GetReference(q2), pq3 = ref MemoryMarshal.GetReference(q3);
        ref float pr0 = ref MemoryMarshal.GetReference(r0), pr1 = ref MemoryMarshal.GetReference(r1), pr2 = ref MemoryMarshal.GetReference(r2);
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        nuint i = 0;
        for (; (int)i <= d - 8; i += 8)
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref pr0, i), v1 = Vector256.LoadUnsafe(ref pr1, i), v2 = Vector256.LoadUnsafe(ref pr2, i);
            Vector256<float> v = Vector256.LoadUnsafe(ref pq0, i);
            a00 = Fmadd(v, v0, a00); a01 = Fmadd(v, v1, a01); a02 = Fmadd(v, v2, a02);
            v = Vector256.LoadUnsafe(ref pq1, i);
            a10 = Fmadd(v, v0, a10); a11 = Fmadd(v, v1, a11); a12 = Fmadd(v, v2, a12);
            v = Vector256.LoadUnsafe(ref pq2, i);
            a20 = Fmadd(v, v0, a20); a21 = Fmadd(v, v1, a21); a22 = Fmadd(v, v2, a22);
            v = Vector256.LoadUnsafe(ref pq3, i);
            a30 = Fmadd(v, v0, a30); a31 = Fmadd(v, v1, a31); a32 = Fmadd(v, v2, a32);
        }

        dots[0] = Vector256.Sum(a00); dots[1] = Vector256.Sum(a01); dots[2] = Vector256.Sum(a02);
        dots[3] = Vector256.Sum(a10); dots[4] = Vector256.Sum(a11); dots[5] = Vector256.Sum(a12);
        dots[6] = Vector256.Sum(a20); dots[7] = Vector256.Sum(a21); dots[8] = Vector256.Sum(a22);
        dots[9] = Vector256.Sum(a30); dots[10] = Vector256.Sum(a31); dots[11] = Vector256.Sum(a32);
        for (int t = (int)i; t < d; t++)
        {
            double x0 = r0[t], x1 = r1[t], x2 = r2[t];
            double y0 = q0[t], y1 = q1[t], y2 = q2[t], y3 = q3[t];
            dots[0] += y0 * x0; dots[1] += y0 * x1; dots[2] += y0 * x2;
            dots[3] += y1 * x0; dots[4] += y1 * x1; dots[5] += y1 * x2;
            dots[6] += y2 * x0; dots[7] += y2 * x1; dots[8] += y2 * x2;
            dots[9] += y3 * x0; dots[10] += y3 * x1; dots[11] += y3 * x2;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(
        ReadOnlySpan<double> q0, ReadOnlySpan<double> q1, ReadOnlySpan<double> q2, ReadOnlySpan<double> q3,
        ReadOnlySpan<double> r0, ReadOnlySpan<double> r1, ReadOnlySpan<double> r2, Span<double> dots)
    {
        int d = q0.Length;
        ref double pq0 = ref MemoryMarshal.GetReference(q0), pq1 = ref MemoryMarshal.GetReference(q1);
        ref double pq2 = ref MemoryMarshal.GetReference(q2), pq3 = ref MemoryMarshal.GetReference(q3);
        ref double pr0 = ref MemoryMarshal.GetReference(r0), pr1 = ref MemoryMarshal.GetReference(r1), pr2 = ref MemoryMarshal.GetReference(r2);
        Vector256<double> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<double> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        nuint i = 0;
        for (; (int)i <= d - 4; i += 4)
        {
            Vector256<double> v0 = Vector256.LoadUnsafe(ref pr0, i), v1 = Vector256.LoadUnsafe(ref pr1, i), v2 = Vector256.LoadUnsafe(ref pr2, i);
            Vector256<double> v = Vector256.LoadUnsafe(ref pq0, i);
            a00 = Fmadd(v, v0, a00); a01 = Fmadd(v, v1, a01); a02 = Fmadd(v, v2, a02);
            v = Vector256.LoadUnsafe(ref pq1, i);
            a10 = Fmadd(v, v0, a10); a11 = Fmadd(v, v1, a11); a12 = Fmadd(v, v2, a12);
            v = Vector256.LoadUnsafe(ref pq2, i);
            a20 = Fmadd(v, v0, a20); a21 = Fmadd(v, v1, a21); a22 = Fmadd(v, v2, a22);
            v = Vector256.LoadUnsafe(ref pq3, i);
            a30 = Fmadd(v, v0, a30); a31 = Fmadd(v, v1, a31); a32 = Fmadd(v, v2, a32);
        }

        dots[0] = Vector256.Sum(a00); dots[1] = Vector256.Sum(a01); dots[2] = Vector256.Sum(a02);
        dots[3] = Vector256.Sum(a10); dots[4] = Vector256.Sum(a11); dots[5] = Vector256.Sum(a12);
        dots[6] = Vector256.Sum(a20); dots[7] = Vector256.Sum(a21); dots[8] = Vector256.Sum(a22);
        dots[9] = Vector256.Sum(a30); dots[10] = Vector256.Sum(a31); dots[11] = Vector256.Sum(a32);
        for (int t = (int)i; t < d; t++)
        {
            double x0 = r0[t], x1 = r1[t], x2 = r2[t];
            double y0 = q0[t], y1 = q1[t], y2 = q2[t], y3 = q3[t];
            dots[0] += y0 * x0; dots[1] += y0 * x1; dots[2] += y0 * x2;
            dots[3] += y1 * x0; dots[4] += y1 * x1; dots[5] += y1 * x2;
            dots[6] += y2 * x0; dots[7] += y2 * x1; dots[8] += y2 * x2;
            dots[9] += y3 * x0; dots[10] += y3 * x1; dots[11] += y3 * x2;
        }
    }

    /// <summary>One query against four references: the shape of a single stream sample, where a 4-row tile would
    /// compute three wasted rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(ReadOnlySpan<float> q, ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, ReadOnlySpan<float> r2, ReadOnlySpan<float> r3, Span<double> dots)
    {
        int d = q.Length;
        ref float pq = ref MemoryMarshal.GetReference(q);
        ref float p0 = ref MemoryMarshal.GetReference(r0), p1 = ref MemoryMarshal.GetReference(r1);
        ref float p2 = ref MemoryMarshal.GetReference(r2), p3 = ref MemoryMarshal.GetReference(r3);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; (int)i <= d - 8; i += 8)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref pq, i);
            a0 = Fmadd(v, Vector256.LoadUnsafe(ref p0, i), a0);
            a1 = Fmadd(v, Vector256.LoadUnsafe(ref p1, i), a1);
            a2 = Fmadd(v, Vector256.LoadUnsafe(ref p2, i), a2);
            a3 = Fmadd(v, Vector256.LoadUnsafe(ref p3, i), a3);
        }

        dots[0] = Vector256.Sum(a0); dots[1] = Vector256.Sum(a1); dots[2] = Vector256.Sum(a2); dots[3] = Vector256.Sum(a3);
        for (int t = (int)i; t < d; t++)
        {
            double y = q[t];
            dots[0] += y * r0[t]; dots[1] += y * r1[t]; dots[2] += y * r2[t]; dots[3] += y * r3[t];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(ReadOnlySpan<double> q, ReadOnlySpan<double> r0, ReadOnlySpan<double> r1, ReadOnlySpan<double> r2, ReadOnlySpan<double> r3, Span<double> dots)
    {
        int d = q.Length;
        ref double pq = ref MemoryMarshal.GetReference(q);
        ref double p0 = ref MemoryMarshal.GetReference(r0), p1 = ref MemoryMarshal.GetReference(r1);
        ref double p2 = ref MemoryMarshal.GetReference(r2), p3 = ref MemoryMarshal.GetReference(r3);
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; (int)i <= d - 4; i += 4)
        {
            Vector256<double> v = Vector256.LoadUnsafe(ref pq, i);
            a0 = Fmadd(v, Vector256.LoadUnsafe(ref p0, i), a0);
            a1 = Fmadd(v, Vector256.LoadUnsafe(ref p1, i), a1);
            a2 = Fmadd(v, Vector256.LoadUnsafe(ref p2, i), a2);
            a3 = Fmadd(v, Vector256.LoadUnsafe(ref p3, i), a3);
        }

        dots[0] = Vector256.Sum(a0); dots[1] = Vector256.Sum(a1); dots[2] = Vector256.Sum(a2); dots[3] = Vector256.Sum(a3);
        for (int t = (int)i; t < d; t++)
        {
            double y = q[t];
            dots[0] += y * r0[t]; dots[1] += y * r1[t]; dots[2] += y * r2[t]; dots[3] += y * r3[t];
        }
    }

    /// <summary>The 512-bit form of <see cref="Row(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row512(ReadOnlySpan<float> q, ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, ReadOnlySpan<float> r2, ReadOnlySpan<float> r3, Span<double> dots)
    {
        int d = q.Length;
        ref float pq = ref MemoryMarshal.GetReference(q);
        ref float p0 = ref MemoryMarshal.GetReference(r0), p1 = ref MemoryMarshal.GetReference(r1);
        ref float p2 = ref MemoryMarshal.GetReference(r2), p3 = ref MemoryMarshal.GetReference(r3);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; (int)i <= d - 16; i += 16)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref pq, i);
            a0 = Fmadd(v, Vector512.LoadUnsafe(ref p0, i), a0);
            a1 = Fmadd(v, Vector512.LoadUnsafe(ref p1, i), a1);
            a2 = Fmadd(v, Vector512.LoadUnsafe(ref p2, i), a2);
            a3 = Fmadd(v, Vector512.LoadUnsafe(ref p3, i), a3);
        }

        dots[0] = SumOfHalves(a0); dots[1] = SumOfHalves(a1); dots[2] = SumOfHalves(a2); dots[3] = SumOfHalves(a3);
        for (int t = (int)i; t < d; t++)
        {
            double y = q[t];
            dots[0] += y * r0[t]; dots[1] += y * r1[t]; dots[2] += y * r2[t]; dots[3] += y * r3[t];
        }
    }

    /// <summary>
    /// The upper half of the register added to the lower, then the 256-bit pairwise sum: the reduction tree
    /// <see cref="GramKernel{T}.Margin"/> accounts for (one level more than the 256-bit kernels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumOfHalves(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fmadd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fmadd(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;
}
