using ClipGuard.Stream.Core.Evaluation;
using Xunit;

namespace ClipGuard.Stream.Core.Tests.Evaluation;

public sealed class OperatingPointTests
{
    [Fact]
    public void TprAtFprTakesTheBestThresholdWithinTheBudgetAndNeverSplitsTies()
    {
        // Highest first: P 0.9, N 0.8, P 0.7, then P and N tied at 0.6, N 0.1: 3 positives, 3 negatives.
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.6, 0.1];
        int[] labels = [1, 0, 1, 1, 0, 0];

        Assert.Equal(1 / 3.0, DetectionMetrics.TprAtFpr(scores, labels, 0.0), 12);
        Assert.Equal(2 / 3.0, DetectionMetrics.TprAtFpr(scores, labels, 1 / 3.0), 12);
        Assert.Equal(2 / 3.0, DetectionMetrics.TprAtFpr(scores, labels, 0.5), 12);
        Assert.Equal(1.0, DetectionMetrics.TprAtFpr(scores, labels, 2 / 3.0), 12);
        Assert.Equal(0.0, DetectionMetrics.TprAtFpr([0.5, 0.5, 0.1], [1, 0, 0], 0.0));
    }

    [Fact]
    public void TprAtFprAgreesWithABruteForceScanOfEveryThreshold()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = rng.Next(5, 60);
            double[] scores = [.. Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 10) / 10)];
            int[] labels = [.. Enumerable.Range(0, n).Select(i => i < 2 ? i : rng.Next(2))];
            double budget = rng.NextDouble() * 0.5;
            int positives = labels.Sum(), negatives = n - positives;
            double expected = scores.Distinct()
                .Select(t => (Tp: Enumerable.Range(0, n).Count(i => scores[i] >= t && labels[i] == 1), Fp: Enumerable.Range(0, n).Count(i => scores[i] >= t && labels[i] == 0)))
                .Where(c => (double)c.Fp / negatives <= budget)
                .Select(c => (double)c.Tp / positives)
                .DefaultIfEmpty(0)
                .Max();

            Assert.Equal(expected, DetectionMetrics.TprAtFpr(scores, labels, budget), 12);
        }
    }

    [Fact]
    public void RemoveTopTakesTheCeilingOfTheShareHighestFirstTiesByPosition()
    {
        double[] scores = [0.2, 0.9, 0.5, 0.5, 0.1, 0.3, 0.0, 0.0, 0.0, 0.0];
        int[] labels = [1, 1, 0, 1, 0, 0, 0, 0, 0, 1];

        RemovalCounts top = DetectionMetrics.RemoveTop(scores, labels, 0.25);

        // ⌈2.5⌉ = 3 removed: 0.9 (P), then the tied 0.5s by position: index 2 (N), index 3 (P).
        Assert.Equal(3, top.Removed);
        Assert.Equal(2, top.RemovedPositives);
        Assert.Equal(4, top.Positives);
        Assert.Equal(2 / 3.0, top.Precision, 12);
        Assert.Equal(0.5, top.Recall, 12);
        Assert.Equal(2 * (2 / 3.0) * 0.5 / ((2 / 3.0) + 0.5), top.F1, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.RemoveTop(scores, labels, 0));
    }

    [Fact]
    public void ThePrecisionRecallCurveHasOnePointPerDistinctScoreHighestFirst()
    {
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.6, 0.1];
        int[] labels = [1, 0, 1, 1, 0, 0];

        var (recall, precision) = DetectionMetrics.PrecisionRecallCurve(scores, labels);

        Assert.Equal([1 / 3.0, 1 / 3.0, 2 / 3.0, 1.0, 1.0], recall);
        Assert.Equal([1.0, 0.5, 2 / 3.0, 0.6, 0.5], precision);
    }
}
