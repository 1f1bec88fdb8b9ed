using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing;
using ClipGuard.Stream.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>The decide stage over a real (small) scorer: the cold-start bootstrap holds samples, and completes on its timeout.</summary>
public sealed class DecideStageTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TheBootstrapDecidesNothingUntilItHasEnoughSamples()
    {
        DecideStage stage = Stage(bootstrapSize: 40);

        Assert.Empty(stage.Decide(Samples(0, 30)));
        Assert.Equal(40, stage.Decide(Samples(30, 10)).Count);
        Assert.False(stage.Scorer.Bootstrapping);
    }

    [Fact]
    public void AQuietStreamCompletesTheBootstrapAfterTheTimeoutWithWhatItHas()
    {
        DecideStage stage = Stage(bootstrapSize: 1000);
        var held = new HeldMessages(_time);
        List<PendingMessage> fresh = Samples(0, 20);
        Assert.Empty(stage.Decide(fresh));
        held.Add(fresh);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(stage.CompleteBootstrapIfTimedOut(held));
        _time.Advance(TimeSpan.FromSeconds(1));
        IReadOnlyList<Verdict>? verdicts = stage.CompleteBootstrapIfTimedOut(held);

        Assert.Equal(20, verdicts?.Count);
        Assert.Equal(20, held.Match(verdicts!).Count);
        Assert.Null(stage.CompleteBootstrapIfTimedOut(held));
    }

    [Fact]
    public void ATimeoutWithNoMoreThanKSamplesKeepsWaiting()
    {
        DecideStage stage = Stage(bootstrapSize: 1000);
        var held = new HeldMessages(_time);
        List<PendingMessage> fresh = Samples(0, 4);
        stage.Decide(fresh);
        held.Add(fresh);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(stage.CompleteBootstrapIfTimedOut(held));
    }

    [Fact]
    public void ACalibrationTooSmallForTheBudgetIsWarnedAboutOnceWhileItLasts()
    {
        var log = new RecordingLogger();
        var stage = new DecideStage(
            new StreamScorer(2, new StreamScorerOptions { BootstrapSize = 40, Reference = new ReferenceSetOptions { K = 4, MaxSourceShare = 1 } }),
            TimeSpan.FromSeconds(30), _time, log);

        stage.Decide(Samples(0, 40));
        stage.Decide(Samples(40, 10));
        stage.Decide(Samples(50, 10));

        Assert.True(stage.Scorer.BudgetUnreachable);
        Assert.Single(log.EventIds, id => id == 5097);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning: The false-quarantine budget 0.0001 is below", StringComparison.Ordinal) && l.Contains("until it holds 9999 ", StringComparison.Ordinal));
    }

    [Fact]
    public void ABudgetThatCannotBeHeldWithTheConfidenceIsWarnedAboutWithTheCalibrationItNeeds()
    {
        var log = new RecordingLogger();
        var stage = new DecideStage(
            new StreamScorer(2, new StreamScorerOptions { BootstrapSize = 40, BudgetConfidence = 0.9, FalseQuarantineRate = 0.01, Reference = new ReferenceSetOptions { K = 4, MaxSourceShare = 1 } }),
            TimeSpan.FromSeconds(30), _time, log);

        stage.Decide(Samples(0, 40));
        stage.Decide(Samples(40, 10));

        // One signal: (1 − 0.01)^n ≤ 0.1 needs n ≥ 230 calibration scores.
        Assert.True(stage.Scorer.BudgetUnreachable);
        Assert.Equal(230, stage.Scorer.CalibrationScoresNeeded);
        Assert.Single(log.EventIds, id => id == 5112);
        Assert.DoesNotContain(5097, log.EventIds);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning: The false-quarantine budget 0.01 cannot be held with confidence 0.9", StringComparison.Ordinal) && l.Contains("holds 230 per signal", StringComparison.Ordinal));
    }

    private DecideStage Stage(int bootstrapSize) => new(
        new StreamScorer(2, new StreamScorerOptions { BootstrapSize = bootstrapSize, Reference = new ReferenceSetOptions { K = 4, MaxSourceShare = 1 } }),
        TimeSpan.FromSeconds(30), _time, NullLogger.Instance);

    private static List<PendingMessage> Samples(int from, int count) =>
    [
        .. Enumerable.Range(from, count).Select(i =>
        {
            string id = $"s{i}";
            float angle = i * 0.1f;
            return new PendingMessage(InputMessages.At(0, i, id), new StreamSample(id, $"src{i % 7}", [MathF.Cos(angle), MathF.Sin(angle)]), null);
        }),
    ];
}
