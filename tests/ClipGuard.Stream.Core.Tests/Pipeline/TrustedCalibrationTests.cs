using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Pipeline;

/// <summary>The trusted seed keeps calibrating while a full reference turns its members over.</summary>
public sealed class TrustedCalibrationTests
{
    private const int Dim = 16;
    private const int Seed = 1000;
    private const int Arrivals = 3000;

    [Theory]
    [InlineData(AdmissionPolicy.Reservoir)]
    [InlineData(AdmissionPolicy.SlidingWindow)]
    public void TrustedMembersThatAdmissionsReplaceKeepCalibrating(AdmissionPolicy policy)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Seed + Arrivals, Dim, 12, 0, 41);
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            FalseQuarantineRate = 0.01,
            BootstrapSize = 100,
            Reference = new ReferenceSetOptions { Capacity = Seed + 200, HoldBack = 0, K = 16, MaxSourceShare = 1, Threads = 2, Policy = policy },
        });
        var seedIds = Enumerable.Range(0, Seed).Select(i => $"seed-{i}").ToList();
        var seed = new Matrix<float>(Seed, Dim);
        for (int i = 0; i < Seed; i++)
        {
            data.RowReadOnly(i).CopyTo(seed.Row(i));
        }

        scorer.Seed(seedIds, seed);
        Assert.Equal(Seed, scorer.Calibration!.DensityCount);
        for (int from = Seed; from < Seed + Arrivals; from += 250)
        {
            scorer.Decide([.. Enumerable.Range(from, 250).Select(i => new StreamSample($"s{i}", "web", data.RowReadOnly(i).ToArray()))]);
        }

        // The premise: the reference turned most of the seed over.
        int seedMembers = seedIds.Count(scorer.Reference.Contains);
        Assert.True(seedMembers < Seed / 2, $"{seedMembers} of {Seed} seed members still in the reference");

        // Every seed pair still calibrates (as a held-out sample once replaced), beside the arrivals held out since.
        scorer.Recalibrate();
        Assert.InRange(scorer.Calibration!.DensityCount, Seed, Seed + Arrivals);
    }

    [Fact]
    public void ASeedLargerThanThePoolCalibratesInFullAndArrivalsTakeTurnsWithIt()
    {
        // A pool of 400 and a seed of 1,000: the calibration holds all 1,000 seed scores (a trusted member costs the pool
        // no memory), so its smallest p-value is 1 / 1,001, not 1 / 401. Held-out arrivals then replace trusted members
        // one for one, the total staying at the seed's size, and the held-out entries themselves never exceed the pool.
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Seed + Arrivals, Dim, 12, 0, 43);
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            ThresholdRule = ThresholdRule.Conformal,
            FalseQuarantineRate = 0.002,
            CalibrationPoolSize = 400,
            CalibrationShare = 0.2,
            UseAgreement = false,
            Reference = new ReferenceSetOptions { Capacity = 20_000, HoldBack = 0, K = 16, MaxSourceShare = 1, Threads = 2 },
        });
        var seed = new Matrix<float>(Seed, Dim);
        data.Data.AsSpan(0, Seed * Dim).CopyTo(seed.Data);
        scorer.Seed([.. Enumerable.Range(0, Seed).Select(i => $"seed-{i}")], seed);
        Assert.Equal(Seed, scorer.Calibration!.DensityCount);
        Assert.Equal(1.0 / (Seed + 1), scorer.SmallestPValue, 12);

        for (int from = Seed; from < Seed + Arrivals; from += 250)
        {
            scorer.Decide([.. Enumerable.Range(from, 250).Select(i => new StreamSample($"s{i}", "web", data.RowReadOnly(i).ToArray()))]);
        }

        scorer.Recalibrate();
        Assert.Equal(400, scorer.CalibrationPool!.HeldOutCount);
        Assert.Equal(Seed, scorer.Calibration!.DensityCount);
    }
}
