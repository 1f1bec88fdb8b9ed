using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Calibration;

public sealed class SeedGuardTests
{
    [Fact]
    public void ASeedWithinTheCapIsKeptWhole()
    {
        Matrix<float> rows = Rows(50, 4, seed: 1);
        Assert.Same(rows, SeedGuard.Sample(rows, 50, seed: 1));
        Assert.Same(rows, SeedGuard.Sample(rows, 0, seed: 1));
    }

    [Fact]
    public void ALargerSeedIsAUniformSampleOfDistinctRowsInTheirOriginalOrderAndTheSameForTheSameSeed()
    {
        Matrix<float> rows = Rows(1000, 4, seed: 2);
        Matrix<float> a = SeedGuard.Sample(rows, 300, seed: 7);
        Assert.Equal(300, a.Rows);
        int[] origin = [.. Enumerable.Range(0, a.Rows).Select(i => RowIndex(rows, a, i))];
        Assert.All(origin, o => Assert.True(o >= 0));
        Assert.Equal(origin.Order(), origin);
        Assert.Equal(300, origin.Distinct().Count());

        // Uniform over the rows: both halves of the seed are represented about equally (300 draws, sd ≈ 8.7).
        Assert.InRange(origin.Count(o => o < 500), 150 - 35, 150 + 35);

        Assert.Equal(a.Data, SeedGuard.Sample(rows, 300, seed: 7).Data);
        Assert.NotEqual(a.Data, SeedGuard.Sample(rows, 300, seed: 8).Data);
    }

    [Fact]
    public void ACappedGuardHoldsTheCapAndItsPValuesStayUniformOnFreshCleanSamples()
    {
        // One distribution: 4,000 starting rows (the guard keeps 600 of them) and 4,000 fresh samples from it. The
        // guard's p-values are calibrated on its own sample, so fresh clean samples get p ≤ α in about α of cases.
        Matrix<float> all = Rows(8000, 8, seed: 3);
        Matrix<float> start = Slice(all, 0, 4000), fresh = Slice(all, 4000, 4000);
        var guard = new SeedGuard(start, k: 8, DistanceMetric.Euclidean, OutlierDetector.Dao, threads: 2, maxMembers: 600, seed: 5);
        Assert.Equal(600, guard.Count);
        Assert.Equal(4000, guard.StartingRows);

        double[] p = guard.PValues(fresh);
        foreach (double alpha in new[] { 0.05, 0.2, 0.5 })
        {
            // Three standard deviations of the calibration draw (600 scores) and of the test draw (4,000 samples).
            double share = p.Count(x => x <= alpha) / (double)p.Length;
            double tolerance = 3 * (Math.Sqrt(alpha * (1 - alpha) / 600) + Math.Sqrt(alpha * (1 - alpha) / 4000));
            Assert.InRange(share, alpha - tolerance, alpha + tolerance);
        }

        // A point far outside the distribution gets the smallest p-value the guard can give.
        var far = new Matrix<float>(1, 8);
        far.Row(0).Fill(40f);
        Assert.Equal(1.0 / 601, guard.PValues(far)[0], 1e-12);
    }

    [Fact]
    public void OptionsRejectAGuardNoLargerThanK()
    {
        Assert.Contains("GuardSize must be 0", Assert.ThrowsAny<ArgumentException>(() => new StreamScorerOptions { GuardSize = 16, Reference = new ReferenceSetOptions { K = 16 } }.Validate()).Message, StringComparison.Ordinal);
        new StreamScorerOptions { GuardSize = 0 }.Validate();
        new StreamScorerOptions { GuardSize = 17, Reference = new ReferenceSetOptions { K = 16 } }.Validate();
    }

    private static Matrix<float> Rows(int n, int dim, int seed)
    {
        var rng = new Random(seed);
        var m = new Matrix<float>(n, dim);
        for (int i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] = (float)TestData.Gaussian(rng);
        }

        return m;
    }

    private static Matrix<float> Slice(Matrix<float> m, int start, int count) =>
        new(count, m.Cols, m.Data.AsSpan(start * m.Cols, count * m.Cols).ToArray());

    private static int RowIndex(Matrix<float> rows, Matrix<float> sample, int i)
    {
        for (int r = 0; r < rows.Rows; r++)
        {
            if (rows.RowReadOnly(r).SequenceEqual(sample.RowReadOnly(i)))
            {
                return r;
            }
        }

        return -1;
    }
}
