using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Pipeline;

public sealed class RescoreTests
{
    private const int Dim = 32;

    [Fact]
    public void PoisonThatReachedTheReferenceIsEvictedAndTheThresholdRecalibrated()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(3000, Dim, 15, 0.02, 21);
        var scorer = new StreamScorer(Dim, Options());
        string[] ids = Enumerable.Range(0, data.Rows).Select(i => $"m{i}").ToArray();
        scorer.Seed(ids, data);
        double thresholdBefore = scorer.Threshold;

        RescoreReport report = scorer.Rescore();

        var planted = ids.Where((_, i) => labels[i] == 1).ToHashSet();
        int evictedPlanted = report.Evicted.Count(planted.Contains);
        Assert.True(evictedPlanted >= 0.9 * planted.Count, $"evicted {evictedPlanted} of {planted.Count} planted outliers");
        Assert.True(report.Evicted.Count - evictedPlanted <= 0.01 * data.Rows, $"{report.Evicted.Count - evictedPlanted} clean members evicted");
        Assert.All(report.Evicted, id => Assert.False(scorer.Reference.Contains(id)));
        Assert.Equal(thresholdBefore, report.ThresholdBefore);
        Assert.Equal(scorer.Threshold, report.ThresholdAfter);
        Assert.True(report.Drift.IsExact(1e-9), report.Drift.ToString());
        Assert.True(scorer.Reference.Model.MeasureDrift().IsExact(0));
    }

    [Fact]
    public void CorruptedIncrementalStateIsReportedAsDriftAndRepaired()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(800, Dim, 8, 0, 22);
        var scorer = new StreamScorer(Dim, Options());
        scorer.Seed(Enumerable.Range(0, data.Rows).Select(i => $"m{i}").ToList(), data);
        scorer.Reference.Model.CorruptForTest(scorer.Reference.Model.Store.ActiveSlots().First(), 1e6);

        RescoreReport report = scorer.Rescore();

        Assert.False(report.Drift.IsExact(1e-9));
        Assert.True(report.Drift.MaxRelativeError[DriftQuantity.KDistance] > 1, report.Drift.ToString());
        Assert.True(scorer.Reference.Model.MeasureDrift().IsExact(0));
    }

    [Fact]
    public void QuarantinedSamplesAreRescoredAgainstTheRepairedReference()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(1200, Dim, 10, 0.05, 23);
        var scorer = new StreamScorer(Dim, Options());
        var inliers = Enumerable.Range(0, 1000).Where(i => labels[i] == 0).ToList();
        var seed = new Matrix<float>(inliers.Count, Dim);
        for (int j = 0; j < inliers.Count; j++)
        {
            data.RowReadOnly(inliers[j]).CopyTo(seed.Row(j));
        }

        scorer.Seed(inliers.Select(i => $"m{i}").ToList(), seed);
        var candidates = Enumerable.Range(1000, 200).Select(i => new StreamSample($"q{i}", null, data.RowReadOnly(i).ToArray())).ToList();
        var rescored = scorer.Rescore(candidates);
        Assert.Equal(200, rescored.Count);
        foreach ((string id, double score, bool wouldPass) in rescored)
        {
            int row = int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(score <= scorer.Threshold, wouldPass);
            Assert.Equal(labels[row] == 0, wouldPass);
        }

        Assert.Equal(inliers.Count, scorer.Reference.Count);
    }

    [Fact]
    public void TheHeldOutPoolIsRescoredInSlicesOfAboutOneQueryPerReferenceChangeAndNoScoreGrowsStalerThanTheInterval()
    {
        // A 1,000-member reference turns over fast (a tenth of it is 100 changes) while a fifth of the stream is held
        // out: re-scoring every 100 changes would cost the pool's whole size in queries each time. Each entry must
        // still be re-scored as the reference moves on, and in slices: re-scoring the whole pool in one micro-batch
        // stalled the stream for seconds at |R| = 50,000.
        const int Seed = 1000, Stream = 14_000;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Seed + Stream, Dim, 10, 0, 23);
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            FalseQuarantineRate = 0.01,
            BootstrapSize = 500,
            CalibrationShare = 0.2,
            RecalibrateEvery = 1,
            Reference = new ReferenceSetOptions { Capacity = Seed, HoldBack = 0, K = 8, MaxSourceShare = 1, Threads = 1 },
        });
        scorer.Seed([.. Enumerable.Range(0, Seed).Select(i => $"s{i}")], SyntheticEmbeddings.Slice(data, 0, Seed));
        CalibrationPool pool = scorer.CalibrationPool!;
        long firstVersion = scorer.Reference.Version, rescoredBefore = pool.Rescored;
        int largestSlice = 0, largestPool = 0;
        for (int start = Seed; start < Seed + Stream; start += 100)
        {
            int held = pool.HeldOutCount;
            long version = scorer.Reference.Version, rescored = pool.Rescored;
            scorer.Decide([.. Enumerable.Range(start, 100).Select(i => new StreamSample($"q{i}", "web", data.RowReadOnly(i).ToArray()))]);
            long changes = scorer.Reference.Version - version;
            int slice = (int)(pool.Rescored - rescored);
            largestSlice = Math.Max(largestSlice, slice);
            largestPool = Math.Max(largestPool, held);

            // The interval is max(a tenth of |R|, the pool's size); an entry is re-scored once it is that stale.
            double interval = Math.Max(100, pool.HeldOutCount);
            Assert.True(scorer.Reference.Version - pool.OldestScoreVersion <= interval, $"an entry scored {scorer.Reference.Version - pool.OldestScoreVersion} changes ago (interval {interval})");

            // A slice is the pool's share of the changes, not the whole pool (one query of rounding per call).
            Assert.True(slice <= Math.Ceiling(pool.HeldOutCount * changes / interval) + 1, $"re-scored {slice} of {pool.HeldOutCount} entries after {changes} changes");
        }

        long totalChanges = scorer.Reference.Version - firstVersion, totalRescored = pool.Rescored - rescoredBefore;
        Assert.True(largestPool > 1000, $"the pool held at most {largestPool}");
        Assert.True(totalRescored > largestPool, $"re-scored {totalRescored} entries in all");
        Assert.True(totalRescored <= totalChanges + (Stream / 100), $"re-scored {totalRescored} entries for {totalChanges} reference changes");
        Assert.True(largestSlice < largestPool / 4, $"one calibration re-scored {largestSlice} of up to {largestPool} entries");
    }

    [Fact]
    public void EvictedTrustedMembersKeepCalibratingSoARescoreOrASwapDoesNotRaiseTheCleanQuarantineRate()
    {
        // A 2,048-member seed calibrates a 0.1 % budget (the smallest p-value is 1 / 2,049): the cut is read at the top
        // two calibration scores, exactly where a re-score evicts. Dropping the evicted ones from the calibration halved
        // the density threshold and doubled the clean quarantine rate (1.28 to 2.33 per mille on this data).
        const int Seed = 2048, Queries = 40_000;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Seed + Queries, Dim, 12, 0, 41);
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            FalseQuarantineRate = 0.001,
            Reference = new ReferenceSetOptions { Capacity = 10_000, HoldBack = 0, K = 16, MaxSourceShare = 1, Threads = 2 },
        });
        var ids = Enumerable.Range(0, Seed).Select(i => $"s{i}").ToList();
        var seed = new Matrix<float>(Seed, Dim);
        for (int i = 0; i < Seed; i++)
        {
            data.RowReadOnly(i).CopyTo(seed.Row(i));
        }

        scorer.Seed(ids, seed);
        var queries = Enumerable.Range(Seed, Queries).Select(i => new StreamSample($"q{i}", "web", data.RowReadOnly(i).ToArray())).ToList();
        double Rate() => scorer.Judge(queries).Count(j => j.Quarantine) / (double)Queries;
        double seeded = Rate(), threshold = scorer.Threshold;
        Assert.InRange(seeded, 0.0002, 0.003);

        RescoreReport report = scorer.Rescore();
        Assert.NotEmpty(report.Evicted);
        Assert.Equal(Seed, scorer.Calibration!.DensityCount);
        Assert.Equal(threshold, scorer.Threshold);
        Assert.Equal(seeded, Rate());

        ModelSwapReport swap = scorer.SwapModel("next@1", ids, seed, null);
        Assert.NotEmpty(swap.Evicted);
        Assert.Equal(Seed, scorer.Calibration!.DensityCount);
        Assert.Equal(seeded, Rate());
    }

    /// <remarks>A budget of 1 %: the seeds here hold under 1,000 members, and a conformal p-value cannot fall below
    /// 1 / (n + 1), so a 0.1 % budget would quarantine nothing.</remarks>
    private static StreamScorerOptions Options() => new()
    {
        FalseQuarantineRate = 0.01,
        BootstrapSize = 100,
        Reference = new ReferenceSetOptions { Capacity = 5000, HoldBack = 0, K = 16, MaxSourceShare = 1, Threads = 2 },
    };
}
