using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Tests.Knn;

/// <summary>
/// Both widths of the dot-product kernels stay within the rounding margin the exact search relies on, on data chosen
/// to make rounding large (heavy cancellation, a wide spread of magnitudes) and at dimensions with a tail.
/// </summary>
public sealed class TileKernelsTests
{
    public static TheoryData<int, bool> Cases()
    {
        var cases = new TheoryData<int, bool>();
        foreach (int d in new[] { 17, 64, 100, 512, 513 })
        {
            cases.Add(d, false);
            cases.Add(d, true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatTilesAndRowsStayWithinTheMargin(int d, bool wide)
    {
        Assert.SkipWhen(wide && !Avx512F.IsSupported, "the CPU has no AVX-512");
        Assert.SkipWhen(!wide && !Avx2.IsSupported, "the CPU has no AVX2");
        var rng = new Random(d + (wide ? 1000 : 0));
        int worstSeen = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            float[][] q = [.. Enumerable.Range(0, 4).Select(_ => Hostile(rng, d))];
            float[][] r = [.. Enumerable.Range(0, 4).Select(i => i < 2 ? Nearly(rng, q[i]) : Hostile(rng, d))];
            var tile = new double[12];
            var row = new double[4];
            if (wide)
            {
                // On AVX-512 blocks of queries go to the panels (tested below); only the row has a 512-bit form.
                TileKernels.Row512(q[0], r[0], r[1], r[2], r[3], row);
            }
            else
            {
                TileKernels.Tile(q[0], q[1], q[2], q[3], r[0], r[1], r[2], tile);
                TileKernels.Row(q[0], r[0], r[1], r[2], r[3], row);
                for (int i = 0; i < 4; i++)
                {
                    for (int j = 0; j < 3; j++)
                    {
                        worstSeen = Math.Max(worstSeen, Check(q[i], r[j], tile[(i * 3) + j], d, wide));
                    }
                }
            }

            for (int j = 0; j < 4; j++)
            {
                worstSeen = Math.Max(worstSeen, Check(q[0], r[j], row[j], d, wide));
            }
        }

        // The data must actually round: a check that never sees an error proves nothing about the margin.
        Assert.True(worstSeen > 0, "no rounding error was ever observed");
    }

    [Theory]
    [InlineData(512)]
    [InlineData(37)]
    public void DoubleTilesStayWithinTheMargin(int d)
    {
        Assert.SkipWhen(!Avx2.IsSupported, "the CPU has no AVX2");
        var rng = new Random(d);
        for (int trial = 0; trial < 100; trial++)
        {
            double[][] q = [.. Enumerable.Range(0, 4).Select(_ => Hostile(rng, d).Select(x => (double)x * (1 + (rng.NextDouble() * 1e-9))).ToArray())];
            double[][] r = [.. Enumerable.Range(0, 3).Select(_ => Hostile(rng, d).Select(x => (double)x * (1 + (rng.NextDouble() * 1e-9))).ToArray())];
            var tile = new double[12];
            TileKernels.Tile(q[0], q[1], q[2], q[3], r[0], r[1], r[2], tile);
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    // Float64 always runs the 256-bit kernels: the margin is the same either way.
                    double exact = CompensatedDot(q[i], r[j]);
                    double margin = GramKernel<double>.Margin(d, SqNorm(q[i]), SqNorm(r[j]));
                    Assert.Equal(margin, GramKernel<double>.Margin(d, SqNorm(q[i]), SqNorm(r[j]), wide: false));
                    Assert.True(2 * Math.Abs(tile[(i * 3) + j] - exact) <= margin, $"d {d}: error {tile[(i * 3) + j] - exact} beyond margin {margin}");
                }
            }
        }
    }

    [Theory]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(512)]
    [InlineData(513)]
    public void PanelTilesStayWithinTheMargin(int d)
    {
        Assert.SkipWhen(!Avx512F.IsSupported, "the CPU has no AVX-512");
        var rng = new Random(d + 7);
        int rounded = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            // 27 queries: the second panel is partly padding, whose lanes must read zero.
            const int queries = 27;
            float[][] q = [.. Enumerable.Range(0, queries).Select(_ => Hostile(rng, d))];
            float[][] r = [.. Enumerable.Range(0, PanelKernel.Refs).Select(j => j < queries ? Nearly(rng, q[j]) : Hostile(rng, d))];
            var packed = new float[2 * PanelKernel.Lanes * d];
            PanelKernel.Pack(q.SelectMany(x => x).ToArray(), queries, d, packed);
            var totals = new float[PanelKernel.Refs * 2 * PanelKernel.Lanes];
            PanelKernel.Tile(packed, r.SelectMany(x => x).ToArray(), d, totals);
            var single = new float[2 * PanelKernel.Lanes];
            PanelKernel.Single(packed, r[5], d, single);
            for (int lane = 0; lane < 2 * PanelKernel.Lanes; lane++)
            {
                for (int j = 0; j < PanelKernel.Refs; j++)
                {
                    float dot = totals[(j * 2 * PanelKernel.Lanes) + lane];
                    if (lane >= queries)
                    {
                        Assert.Equal(0f, dot);
                        continue;
                    }

                    rounded += Check(q[lane], r[j], dot, d, wide: true);
                }

                if (lane < queries)
                {
                    Assert.Equal(totals[(5 * 2 * PanelKernel.Lanes) + lane], single[lane]);
                }
            }
        }

        Assert.True(rounded > 0, "no rounding error was ever observed");
    }

    [Fact]
    public void TheWideMarginIsTighterAtTheEmbeddingWidth()
    {
        // Shorter rounding chains: the AVX-512 kernels need a narrower candidate band (fewer refinements).
        Assert.True(GramKernel<float>.Margin(512, 1, 1, wide: true) < GramKernel<float>.Margin(512, 1, 1, wide: false));
    }

    private static int Check(float[] q, float[] r, double approx, int d, bool wide)
    {
        double exact = 0;
        for (int t = 0; t < d; t++)
        {
            exact += (double)q[t] * r[t];
        }

        double margin = GramKernel<float>.Margin(d, SqNorm(q), SqNorm(r), wide);
        double error = 2 * Math.Abs(approx - exact);
        Assert.True(error <= margin, $"d {d}, wide {wide}: squared-distance error {error} beyond margin {margin}");
        return error > 0 ? 1 : 0;
    }

    /// <summary>Magnitudes over six orders and both signs, so partial sums cancel.</summary>
    private static float[] Hostile(Random rng, int d) =>
        [.. Enumerable.Range(0, d).Select(_ => (float)((rng.Next(2) * 2 - 1) * Math.Pow(10, (rng.NextDouble() * 6) - 3)))];

    /// <summary>A near-copy of <paramref name="v"/>: q·r close to ‖q‖², the regime of close neighbours.</summary>
    private static float[] Nearly(Random rng, float[] v) => [.. v.Select(x => x * (1 + (float)((rng.NextDouble() - 0.5) * 1e-3)))];

    private static double SqNorm(float[] v) => v.Sum(x => (double)x * x);

    private static double SqNorm(double[] v) => CompensatedDot(v, v);

    /// <summary>Ogita–Rump–Oishi Dot2: the dot product as if computed in twice the working precision.</summary>
    private static double CompensatedDot(double[] a, double[] b)
    {
        double s = 0, c = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double p = a[i] * b[i];
            double pe = Math.FusedMultiplyAdd(a[i], b[i], -p);
            double t = s + p;
            double z = t - s;
            double se = (s - (t - z)) + (p - z);
            s = t;
            c += pe + se;
        }

        return s + c;
    }
}
