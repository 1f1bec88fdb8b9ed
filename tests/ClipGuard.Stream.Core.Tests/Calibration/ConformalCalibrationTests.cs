using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Calibration;

public sealed class ConformalCalibrationTests
{
    [Fact]
    public void PValueCountsTheCalibrationScoresAtOrAboveTheScore()
    {
        double[] sorted = [1, 2, 2, 3];
        Assert.Equal(1.0, ConformalCalibration.PValue(sorted, 0.5));
        Assert.Equal(4.0 / 5, ConformalCalibration.PValue(sorted, 2));
        Assert.Equal(2.0 / 5, ConformalCalibration.PValue(sorted, 2.5));
        Assert.Equal(1.0 / 5, ConformalCalibration.PValue(sorted, 3.5));
        Assert.Equal(1.0 / 5, ConformalCalibration.PValue(sorted, double.PositiveInfinity));
        Assert.True(double.IsNaN(ConformalCalibration.PValue(sorted, double.NaN)));
    }

    [Fact]
    public void PValuesOfFreshCleanScoresAreUniform()
    {
        // Exchangeable clean scores from a skewed distribution: the share of p ≤ α is α, for every α, whatever the shape.
        var rng = new Random(3);
        double Draw() => Math.Exp(2 * TestData.Gaussian(rng));
        var calibration = new ConformalCalibration(1, Enumerable.Range(0, 2000).Select(_ => Draw()), [], 1);
        double[] p = [.. Enumerable.Range(0, 100_000).Select(_ => calibration.DensityP(Draw()))];
        foreach (double alpha in new[] { 0.001, 0.01, 0.05, 0.2, 0.5 })
        {
            double share = p.Count(x => x <= alpha) / (double)p.Length;
            // The share is at most α + 1/(n+1) in expectation; the 2,000 calibration draws add sd ≈ sqrt(α/2000).
            Assert.InRange(share, alpha - (4 * Math.Sqrt(alpha / 2000)) - 0.001, alpha + (4 * Math.Sqrt(alpha / 2000)) + 0.001);
        }
    }

    [Fact]
    public void TheDensityThresholdIsTheScoreWherePReachesAlpha()
    {
        var calibration = new ConformalCalibration(1, Enumerable.Range(1, 999).Select(i => (double)i), [], 1);
        double t = calibration.DensityThreshold(0.01);
        Assert.True(calibration.DensityP(t) <= 0.01);
        Assert.True(calibration.DensityP(Math.BitDecrement(t)) > 0.01);
        Assert.Equal(double.PositiveInfinity, calibration.DensityThreshold(0.0005));
    }

    [Fact]
    public void TheAgreementSignalWithTooFewCalibrationValuesTakesNoPartTheDensitySignalAlways()
    {
        var calibration = new ConformalCalibration(1, [1, 2, 3], [0.1, 0.2], minimumSize: 5);
        Assert.True(calibration.HasDensity);
        Assert.False(calibration.HasAgreement);
        Assert.True(double.IsNaN(calibration.AgreementP(0.5)));
        Assert.Equal(0.25, calibration.DensityP(10));
    }

    [Fact]
    public void FuseIsBonferroniOverThePresentSignals()
    {
        Assert.Equal(0.02, PValues.Fuse(0.01, 0.5), 12);
        Assert.Equal(0.01, PValues.Fuse(0.01, double.NaN), 12);
        Assert.Equal(1.0, PValues.Fuse(0.7, 0.9));
        Assert.True(double.IsNaN(PValues.Fuse(double.NaN, double.NaN)));
    }

    [Fact]
    public void BenjaminiHochbergRejectsTheLargestPrefixUnderTheLine()
    {
        // m = 5, q = 0.1: the lines are 0.02, 0.04, 0.06, 0.08, 0.10; the third smallest (0.05) is under its 0.06.
        bool[] reject = PValues.BenjaminiHochberg([0.05, 0.5, 0.001, 0.03, 0.9], 0.1);
        Assert.Equal([true, false, true, true, false], reject);
        Assert.Equal([false, false], PValues.BenjaminiHochberg([0.5, double.NaN], 0.1));
    }

    [Fact]
    public void DisagreementIsOneMinusCosine()
    {
        Assert.Equal(0, PairAgreement.Disagreement([1, 0], [2, 0]), 12);
        Assert.Equal(1, PairAgreement.Disagreement([1, 0], [0, 3]), 12);
        Assert.Equal(2, PairAgreement.Disagreement([1, 0], [-1, 0]), 12);
        Assert.True(double.IsNaN(PairAgreement.Disagreement([0, 0], [1, 0])));
        Assert.True(double.IsNaN(PairAgreement.Disagreement([1, 0], [1, 0, 0])));
    }

    [Fact]
    public void ThePoolHoldsOutAStableShareAndKeepsTheNewest()
    {
        var pool = new CalibrationPool(capacity: 100, share: 0.1);
        string[] ids = [.. Enumerable.Range(0, 20_000).Select(i => $"sample-{i}")];
        int selected = ids.Count(pool.Selects);
        Assert.InRange(selected, 1800, 2200);
        Assert.Equal(selected, ids.Count(new CalibrationPool(100, 0.1).Selects));
        for (int i = 0; i < 150; i++)
        {
            pool.Add($"h{i}", [i, 0], double.NaN, i);
        }

        Assert.Equal(100, pool.HeldOutCount);
        Assert.False(pool.Contains("h49"));
        Assert.True(pool.Contains("h50"));
        Assert.True(pool.Remove("h50"));
        Assert.False(pool.Contains("h50"));
    }

    [Fact]
    public void TheCleanSuspectRateNearACaptionIsConditionalOnTheCaption()
    {
        // 1,000 held-out samples: 100 share caption A and are all suspects (p = 0.01), 900 have other captions at p = 0.5.
        var pool = new CalibrationPool(capacity: 5000, share: 0.1);
        float[] a = [1, 0, 0], b = [0, 1, 0];
        for (int i = 0; i < 1000; i++)
        {
            pool.Add($"h{i}", [0f], 0.5, 1, i < 100 ? a : b, fusedP: i < 100 ? 0.01 : 0.5);
        }

        // Near A: share 101/1001, suspect rate (100 + 0.05·20) / (100 + 20); near B: share 901/1001, rate (0 + 1) / (900 + 20).
        Assert.Equal(101.0 / 1001 * (101.0 / 120), pool.CaptionSuspectRateNear(a, 0.1, 0.05), 12);
        Assert.Equal(901.0 / 1001 * (1.0 / 920), pool.CaptionSuspectRateNear(b, 0.1, 0.05), 12);
        Assert.Equal(1.0 / 1001 * 0.05, pool.CaptionSuspectRateNear([0, 0, 1], 0.1, 0.05), 12);
    }

    [Theory]
    [InlineData(AgreementCalibration.Trusted)]
    [InlineData(AgreementCalibration.HeldOut)]
    public void PoisonsHeldOutDoNotHideTheirCopiesFromATrustedAgreementCalibration(AgreementCalibration source)
    {
        // 9 trusted pairs with captions (disagreement 0.3); 3 poisons routed clean were held out (disagreement 0.95);
        // then one of the trusted members leaves the reference (an eviction that did not demote it).
        (ReferenceSet<float> reference, string[] ids) = GridReference(3);
        var pool = new CalibrationPool(capacity: 4, share: 0.5, source);
        pool.SetTrusted(ids.Select(id => (id, 0.3)));
        for (int i = 0; i < 3; i++)
        {
            pool.Add($"poison{i}", [1, 1], 0.95, densityScore: 0);
        }

        Assert.True(reference.Evict("m8"));
        ConformalCalibration c = pool.Calibrate(reference, OutlierDetector.KDist, refreshEvery: double.PositiveInfinity, version: 1, minimumSize: 1);

        Assert.Equal(9, pool.TrustedAgreementCount);
        if (source == AgreementCalibration.Trusted)
        {
            // The agreement calibrates on the 9 trusted pairs (m8 too: a pair's disagreement does not depend on the
            // reference): another copy at 0.95 is beyond all of them.
            Assert.Equal(9, c.AgreementCount);
            Assert.Equal(1.0 / 10, c.AgreementP(0.95), 12);
        }
        else
        {
            // Held out first (the 3 poisons), then trusted members still in the reference fill the calibration up to
            // max(capacity, trusted start) = 9: the poisons hide the copy.
            Assert.Equal(9, c.AgreementCount);
            Assert.Equal(4.0 / 10, c.AgreementP(0.95), 12);
        }

        // The density signal calibrates as before either way: held-out first, trusted members in the reference after.
        Assert.Equal(9, c.DensityCount);
    }

    [Fact]
    public void ATrustedStartWithoutCaptionsLeavesTheAgreementToTheHeldOutSamples()
    {
        (ReferenceSet<float> reference, string[] ids) = GridReference(2);
        var pool = new CalibrationPool(capacity: 10, share: 0.5, AgreementCalibration.Trusted);
        pool.SetTrusted(ids.Select(id => (id, double.NaN)));
        pool.Add("h0", [0.5f, 0.5f], 0.2, densityScore: 0);
        pool.Add("h1", [0.5f, 0.5f], 0.4, densityScore: 0);

        ConformalCalibration c = pool.Calibrate(reference, OutlierDetector.KDist, refreshEvery: double.PositiveInfinity, version: 1, minimumSize: 2);

        Assert.Equal(0, pool.TrustedAgreementCount);
        Assert.Equal(2, c.AgreementCount);
        Assert.Equal(2.0 / 3, c.AgreementP(0.3), 12);
    }

    [Fact]
    public void HeldOutSamplesAreRescoredAgainstTheReferenceAndTrustedMembersOnlyFillTheRest()
    {
        (ReferenceSet<float> reference, string[] ids) = GridReference(3);
        var pool = new CalibrationPool(capacity: 4, share: 0.5);
        pool.SetTrusted(ids.Select(id => (id, 0.3)));
        pool.Add("far", [10, 10], 0.9, densityScore: -1);
        ConformalCalibration c = pool.Calibrate(reference, OutlierDetector.KDist, refreshEvery: 0, version: 7, minimumSize: 1);
        Assert.Equal(7, c.Version);
        // The calibration holds max(capacity 4, 9 trusted) = 9 scores: "far", then 8 trusted members fill the rest.
        Assert.Equal(9, c.DensityCount);
        Assert.Equal(9, c.AgreementCount);

        // "far" was re-scored: its k-distance (k = 2) is its distance to (1, 2), the second-nearest grid point; every
        // trusted member's leave-one-out k-distance is at most √2.
        double far = Math.Sqrt((8 * 8) + (9 * 9));
        Assert.Equal(2.0 / 10, c.DensityP(far - 1e-6), 12);
        Assert.Equal(1.0 / 10, c.DensityP(far + 1e-6), 12);
        Assert.Equal(1.0, c.DensityP(0), 12);

        // Five more held out: the held-out entries stop at the capacity (4, oldest first out) and the total stays at 9.
        for (int i = 0; i < 5; i++)
        {
            pool.Add($"h{i}", [0.5f, 0.5f], 0.1, densityScore: 0);
        }

        c = pool.Calibrate(reference, OutlierDetector.KDist, refreshEvery: 0, version: 8, minimumSize: 1);
        Assert.Equal(4, pool.HeldOutCount);
        Assert.False(pool.Contains("far"));
        Assert.Equal(9, c.DensityCount);
        Assert.Equal(1.0 / 10, c.DensityP(2), 12);
    }

    [Fact]
    public void OnCleanDataTheConformalRuleQuarantinesWithinTheBudgetAndAdmitsOnlyAboveTheFloor()
    {
        const int dim = 16;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(30_000, dim, 10, 0, 11);
        var options = new StreamScorerOptions { ThresholdRule = ThresholdRule.Conformal, FalseQuarantineRate = 0.01, AdmissionFloor = 0.2, CalibrationShare = 0.1, Reference = new ReferenceSetOptions { K = 8, HoldBack = 0 } };
        var scorer = new StreamScorer(dim, options);
        var seed = new Matrix<float>(2000, dim);
        data.Data.AsSpan(0, 2000 * dim).CopyTo(seed.Data);
        scorer.Seed([.. Enumerable.Range(0, 2000).Select(i => $"seed{i}")], seed);
        var verdicts = new List<Verdict>();
        for (int start = 2000; start < data.Rows; start += 500)
        {
            var batch = Enumerable.Range(start, 500).Select(i => new StreamSample($"s{i}", "src", data.RowReadOnly(i).ToArray())).ToList();
            verdicts.AddRange(scorer.Decide(batch));
        }

        double quarantined = verdicts.Count(v => v.Route == Route.Quarantine) / (double)verdicts.Count;
        Assert.InRange(quarantined, 0.004, 0.016);
        Assert.All(verdicts, v => Assert.InRange(v.PValue, 0, 1));
        Assert.All(verdicts.Where(v => scorer.Reference.Contains(v.SampleId)), v => Assert.True(v.PValue >= 0.2, $"{v.SampleId} admitted at p = {v.PValue}"));
        Assert.All(verdicts.Where(v => v.Route == Route.Quarantine), v => Assert.True(v.PValue <= 0.01));
        Assert.True(scorer.CalibrationPool!.HeldOutCount > 2000);
        Assert.All(verdicts.Where(v => scorer.CalibrationPool.Contains(v.SampleId)), v => Assert.False(scorer.Reference.Contains(v.SampleId)));
        Assert.True(scorer.HeldBelowFloor > 0);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(998, true)]
    [InlineData(999, false)]
    [InlineData(2000, false)]
    public void ASeedTooSmallForTheBudgetIsReportedAndQuarantinesNothing(int seedSize, bool unreachable)
    {
        const int dim = 8;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(seedSize + 1, dim, 4, 0, 5);
        var scorer = new StreamScorer(dim, new StreamScorerOptions { FalseQuarantineRate = 0.001, Reference = new ReferenceSetOptions { K = 8, HoldBack = 0 } });
        var seed = new Matrix<float>(seedSize, dim);
        data.Data.AsSpan(0, seedSize * dim).CopyTo(seed.Data);
        scorer.Seed([.. Enumerable.Range(0, seedSize).Select(i => $"seed{i}")], seed);

        Assert.Equal(1.0 / (seedSize + 1), scorer.SmallestPValue, 12);
        Assert.Equal(999, scorer.CalibrationScoresNeeded);
        Assert.Equal(unreachable, scorer.BudgetUnreachable);
        // A point far outside every cluster gets the smallest p-value there is, and is quarantined only when that is within the budget.
        Verdict far = Assert.Single(scorer.Decide([new StreamSample("far", "src", Enumerable.Repeat(1e3f, dim).ToArray())]));
        Assert.Equal(unreachable ? Route.Clean : Route.Quarantine, far.Route);
    }

    /// <summary>A reference (k = 2) seeded with the side × side integer grid, members m0, m1, ... row by row.</summary>
    private static (ReferenceSet<float> Reference, string[] Ids) GridReference(int side)
    {
        var reference = new ReferenceSet<float>(2, new ReferenceSetOptions { K = 2, HoldBack = 0 });
        var grid = new Matrix<float>(side * side, 2);
        for (int i = 0; i < side * side; i++)
        {
            grid.Row(i)[0] = i % side;
            grid.Row(i)[1] = i / side;
        }

        string[] ids = [.. Enumerable.Range(0, side * side).Select(i => $"m{i}")];
        reference.Seed(ids, [.. ids.Select(_ => (string?)null)], grid);
        return (reference, ids);
    }
}
