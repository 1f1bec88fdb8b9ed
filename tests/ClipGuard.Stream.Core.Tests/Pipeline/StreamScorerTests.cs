using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Pipeline;

public sealed class StreamScorerTests
{
    private const int Dim = 64;

    [Fact]
    public void BootstrapBuffersThenRoutesEverySampleOnceAndSeedsOnlyCleanOnes()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(3000, Dim, 20, 0.02, 1);
        var scorer = new StreamScorer(Dim, Options(bootstrap: 1000));
        var verdicts = new List<Verdict>();
        for (int start = 0; start < 1000; start += 100)
        {
            IReadOnlyList<Verdict> v = scorer.Decide(Batch(data, start, 100));
            if (start < 900)
            {
                Assert.Empty(v);
                Assert.True(scorer.Bootstrapping);
            }

            verdicts.AddRange(v);
        }

        Assert.False(scorer.Bootstrapping);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"s{i}"), verdicts.Select(v => v.SampleId));
        Assert.All(verdicts.Where(v => v.Route == Route.Quarantine), v => Assert.False(scorer.Reference.Contains(v.SampleId)));
        Assert.All(verdicts.Where(v => v.Route == Route.Clean), v => Assert.True(scorer.Reference.Contains(v.SampleId)));
        int plantedCaught = verdicts.Count(v => v.Route == Route.Quarantine && labels[int.Parse(v.SampleId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)] == 1);
        Assert.True(plantedCaught >= 0.9 * labels.Take(1000).Sum(), $"bootstrap caught {plantedCaught} of {labels.Take(1000).Sum()}");
        Assert.All(verdicts, v => Assert.Equal(16, v.NeighborIds.Count));
    }

    [Fact]
    public void TwentyThousandSamplesWithTwoPercentPlantedOutliersMeetTheRoutingTargets()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(20_000, Dim, 40, 0.02, 7);
        var scorer = new StreamScorer(Dim, Options(bootstrap: 2000));
        var verdicts = new List<Verdict>();
        for (int start = 0; start < data.Rows; start += 250)
        {
            verdicts.AddRange(scorer.Decide(Batch(data, start, 250)));
        }

        Assert.Equal(data.Rows, verdicts.Select(v => v.SampleId).Distinct().Count());
        int tp = 0, fp = 0;
        foreach (Verdict v in verdicts)
        {
            int label = labels[int.Parse(v.SampleId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)];
            if (v.Route == Route.Quarantine)
            {
                tp += label;
                fp += 1 - label;
            }
        }

        double recall = (double)tp / labels.Sum(), precision = (double)tp / (tp + fp);
        Assert.True(recall >= 0.95 && precision >= 0.9, $"recall {recall:F3}, precision {precision:F3}");
        Assert.All(verdicts.Where(v => v.Route == Route.Quarantine), v => Assert.False(scorer.Reference.Contains(v.SampleId)));
    }

    [Fact]
    public void ALongCleanStreamStaysNearTheBudgetWhileItsCalibrationPoolTurnsOver()
    {
        // 100,000 clean samples, a fifth held out into a pool of 1,000: the pool turns over 20 times. When only samples
        // routed clean joined the pool, each calibration lacked the tail the one before cut off and the clean
        // quarantine rate climbed with every turnover: 2.2 per mille in the first 20,000, 5.7 in the last, 3.9 overall.
        // With the frozen guard deciding pool membership: 0.85-1.6 per 20,000, 1.1 overall (budget 1).
        const int Stream = 100_000, SeedSize = 2000, Dimension = 32;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Stream + SeedSize, Dimension, 20, 0.0, 5);
        var scorer = new StreamScorer(Dimension, new StreamScorerOptions
        {
            FalseQuarantineRate = 0.001,
            CalibrationPoolSize = 1000,
            CalibrationShare = 0.2,
            Reference = new ReferenceSetOptions { Capacity = 5000, HoldBack = 200, K = 16, MaxSourceShare = 0.5, Threads = 2 },
        });
        scorer.Seed(Enumerable.Range(0, SeedSize).Select(i => $"seed{i}").ToList(), SyntheticEmbeddings.Slice(data, 0, SeedSize));
        int quarantined = 0, lastFifth = 0;
        for (int start = SeedSize; start < SeedSize + Stream; start += 500)
        {
            int q = scorer.Decide(Batch(data, start, 500)).Count(v => v.Route == Route.Quarantine);
            quarantined += q;
            lastFifth += start >= SeedSize + (Stream * 4 / 5) ? q : 0;
        }

        double rate = (double)quarantined / Stream, lastRate = lastFifth / (Stream / 5.0);
        Assert.True(rate is > 0.0003 and <= 0.002 && lastRate <= 0.0025, $"clean quarantine rate {rate * 1000:F2} per mille overall, {lastRate * 1000:F2} in the last fifth (budget 1)");
    }

    [Fact]
    public void InvalidSamplesAreDeadLetteredWithTheirReasonEvenWhileBootstrapping()
    {
        var scorer = new StreamScorer(Dim, Options(bootstrap: 100));
        IReadOnlyList<Verdict> v = scorer.Decide([
            StreamSample.Rejected("bad-json", "invalid_json", "unexpected end"),
            new StreamSample("short", null, new float[3]),
        ]);
        Assert.Equal([Route.DeadLetter, Route.DeadLetter], v.Select(x => x.Route));
        Assert.Contains("invalid_json", v[0].Reason, StringComparison.Ordinal);
        Assert.Contains("wrong_embedding_size", v[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeededScorerRoutesFromTheFirstBatchAndNamesTheReferenceVersion()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(1200, Dim, 10, 0.0, 3);
        var scorer = new StreamScorer(Dim, Options(bootstrap: 500));
        scorer.Seed(Enumerable.Range(0, 1000).Select(i => $"seed{i}").ToList(), SyntheticEmbeddings.Slice(data, 0, 1000));
        Assert.False(scorer.Bootstrapping);
        Assert.True(double.IsFinite(scorer.Threshold));
        IReadOnlyList<Verdict> v = scorer.Decide(Batch(data, 1000, 200));
        Assert.Equal(200, v.Count);
        Assert.All(v, x => Assert.Equal(1000, x.ReferenceSize));
        Assert.All(v, x => Assert.Equal(1000L, x.ReferenceVersion));
    }

    private static List<StreamSample> Batch(Matrix<float> data, int start, int count) =>
        Enumerable.Range(start, count).Select(i => new StreamSample($"s{i}", $"src{i % 7}", data.RowReadOnly(i).ToArray())).ToList();

    // The budget rule at 1 per mille (the default 0.1 per mille needs 19,999 calibration scores, more than these streams hold).
    private static StreamScorerOptions Options(int bootstrap) => new()
    {
        BootstrapSize = bootstrap,
        FalseQuarantineRate = 0.001,
        Reference = new ReferenceSetOptions { Capacity = 5000, HoldBack = 200, K = 16, MaxSourceShare = 0.5, Threads = 2 },
    };
}
