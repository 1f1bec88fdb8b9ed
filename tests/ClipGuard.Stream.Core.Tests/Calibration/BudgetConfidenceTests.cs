using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Calibration;

public sealed class BudgetConfidenceTests
{
    [Theory]
    [InlineData(20, 0.3)]
    [InlineData(50, 0.01)]
    [InlineData(7, 0.9)]
    public void TheBinomialCdfEqualsTheDirectSum(int n, double p)
    {
        for (int j = -1; j <= n + 1; j++)
        {
            double direct = 0;
            for (int i = 0; i <= Math.Min(j, n); i++)
            {
                direct += Choose(n, i) * Math.Pow(p, i) * Math.Pow(1 - p, n - i);
            }

            Assert.Equal(direct, BudgetConfidence.BinomialCdf(n, p, j), 12);
        }
    }

    [Fact]
    public void TheBinomialCdfHoldsForLargeCounts()
    {
        // (1 − α)^n exactly, and a median near the mean where (1 − α)^n underflows a naive product.
        Assert.Equal(Math.Exp(2048 * Math.Log(1 - 5e-4)), BudgetConfidence.BinomialCdf(2048, 5e-4, 0), 12);
        Assert.InRange(BudgetConfidence.BinomialCdf(2_000_000, 5e-4, 1000), 0.50, 0.52);
        Assert.InRange(BudgetConfidence.BinomialCdf(2_000_000, 5e-4, 900), 0, 1e-3);
    }

    [Fact]
    public void TheMarginalRankIsTheCutOfPAtMostAlpha()
    {
        Assert.Equal(1, BudgetConfidence.MarginalRank(999, 0.001));
        Assert.Equal(0, BudgetConfidence.MarginalRank(998, 0.001));
        Assert.Equal(2, BudgetConfidence.MarginalRank(2048 * 2, 5e-4));
        Assert.Equal(10, BudgetConfidence.MarginalRank(1000, 0.01));
    }

    [Fact]
    public void AConfidentRankNeedsEnoughCalibrationScores()
    {
        // A 2,048-score calibration cannot hold 0.05 % per signal in 95 % of deployments: (1 − α)^n = 0.36 > 0.05.
        Assert.Equal(0, BudgetConfidence.ConfidentRank(2048, 5e-4, 0.05));
        // 20,000 scores, mean 10 calibration scores beyond the clean α-quantile: P(X ≤ 4) ≈ 0.03 ≤ 0.05 < P(X ≤ 5) ≈ 0.07.
        Assert.Equal(5, BudgetConfidence.ConfidentRank(20_000, 5e-4, 0.05));
        int needed = BudgetConfidence.ScoresNeeded(5e-4, 0.05);
        Assert.Equal(0, BudgetConfidence.ConfidentRank(needed - 1, 5e-4, 0.05));
        Assert.Equal(1, BudgetConfidence.ConfidentRank(needed, 5e-4, 0.05));
        Assert.Equal(5990, needed);
        // Never beyond the marginal rule's cut.
        foreach (int n in new[] { 1000, 5000, 50_000 })
        {
            Assert.True(BudgetConfidence.ConfidentRank(n, 0.001, 0.1) <= BudgetConfidence.MarginalRank(n, 0.001));
        }
    }

    [Fact]
    public void RealizedRatesOfCalibrationDrawsFollowTheBetaLaw()
    {
        // Draw 4,000 calibration sets of 1,000 uniform clean scores; each set's cut at rank r leaves 1 − (r-th largest)
        // of the clean distribution above it: the realized rate of that deployment.
        const int n = 1000, draws = 4000;
        const double alpha = 0.01, delta = 0.1;
        int marginal = BudgetConfidence.MarginalRank(n, alpha), confident = BudgetConfidence.ConfidentRank(n, alpha, delta);
        Assert.Equal(10, marginal);
        Assert.InRange(confident, 1, 6);
        var rng = new Random(17);
        var scores = new double[n];
        int overMarginal = 0, overConfident = 0;
        var realizedMarginal = new double[draws];
        for (int d = 0; d < draws; d++)
        {
            for (int i = 0; i < n; i++)
            {
                scores[i] = rng.NextDouble();
            }

            Array.Sort(scores);
            realizedMarginal[d] = 1 - scores[n - marginal];
            overMarginal += realizedMarginal[d] > alpha ? 1 : 0;
            overConfident += 1 - scores[n - confident] > alpha ? 1 : 0;
        }

        double pMarginal = BudgetConfidence.Exceedance(n, marginal, alpha), pConfident = BudgetConfidence.Exceedance(n, confident, alpha);
        Assert.InRange(pMarginal, 0.4, 0.5);
        Assert.True(pConfident <= delta);
        double sd = Math.Sqrt(0.25 / draws);
        Assert.InRange(overMarginal / (double)draws, pMarginal - (4 * sd), pMarginal + (4 * sd));
        Assert.InRange(overConfident / (double)draws, pConfident - (4 * sd), pConfident + (4 * sd));

        // The quantiles of the realized rate: the empirical 90th percentile of the marginal cut against Beta(10, 991)'s.
        Array.Sort(realizedMarginal);
        Assert.Equal(BudgetConfidence.RealizedQuantile(n, marginal, 0.9), realizedMarginal[(int)(0.9 * draws)], 0.0008);
        // Beta(1, n): median 1 − 2^(−1/n).
        Assert.Equal(1 - Math.Pow(0.5, 1.0 / n), BudgetConfidence.RealizedQuantile(n, 1, 0.5), 9);
    }

    [Theory]
    [InlineData(2000, true)]
    [InlineData(3000, false)]
    public void TheScorerCutsAtTheConfidentRankAndReportsACalibrationTooSmall(int seedSize, bool unreachable)
    {
        // One signal (no captions), 0.1 % held with confidence 0.9: (1 − 0.001)^n ≤ 0.1 needs n ≥ 2,302.
        const int dim = 8;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(seedSize, dim, 4, 0, 5);
        var options = new StreamScorerOptions { FalseQuarantineRate = 0.001, BudgetConfidence = 0.9, Reference = new ReferenceSetOptions { K = 8, HoldBack = 0 } };
        var scorer = new StreamScorer(dim, options);
        scorer.Seed([.. Enumerable.Range(0, seedSize).Select(i => $"seed{i}")], data);

        Assert.Equal(2302, scorer.CalibrationScoresNeeded);
        Assert.Equal(unreachable, scorer.BudgetUnreachable);
        // The marginal rule would quarantine this far point at either size (1 / (n + 1) ≤ 0.001).
        Verdict far = Assert.Single(scorer.Decide([new StreamSample("far", "src", Enumerable.Repeat(1e3f, dim).ToArray())]));
        Assert.Equal(unreachable ? Route.Clean : Route.Quarantine, far.Route);
        if (!unreachable)
        {
            Assert.Contains("with confidence 0.9", far.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OnACleanStreamTheConfidentCutQuarantinesNoMoreThanTheBudgetAndLessThanTheMarginalRule()
    {
        const int dim = 16;
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(22_000, dim, 10, 0, 11);
        double Quarantined(double confidence)
        {
            var options = new StreamScorerOptions { FalseQuarantineRate = 0.01, BudgetConfidence = confidence, CalibrationShare = 0.1, Reference = new ReferenceSetOptions { K = 8, HoldBack = 0 } };
            var scorer = new StreamScorer(dim, options);
            var seed = new Matrix<float>(2000, dim);
            data.Data.AsSpan(0, 2000 * dim).CopyTo(seed.Data);
            scorer.Seed([.. Enumerable.Range(0, 2000).Select(i => $"seed{i}")], seed);
            int quarantined = 0, total = 0;
            for (int start = 2000; start < data.Rows; start += 500)
            {
                IReadOnlyList<Verdict> verdicts = scorer.Decide([.. Enumerable.Range(start, 500).Select(i => new StreamSample($"s{i}", "src", data.RowReadOnly(i).ToArray()))]);
                quarantined += verdicts.Count(v => v.Route == Route.Quarantine);
                total += verdicts.Count;
            }

            return quarantined / (double)total;
        }

        double marginal = Quarantined(double.NaN), confident = Quarantined(0.9);
        Assert.InRange(marginal, 0.004, 0.016);
        Assert.InRange(confident, 0.001, 0.01);
        Assert.True(confident < marginal, $"confident {confident} against marginal {marginal}");
    }

    [Fact]
    public void OptionsRejectAConfidenceOutsideTheUnitIntervalOrWithAFalseDiscoveryRate()
    {
        Assert.Contains("BudgetConfidence must be in (0, 1)", Assert.ThrowsAny<ArgumentException>(() => new StreamScorerOptions { BudgetConfidence = 1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("not to FalseDiscoveryRate", Assert.ThrowsAny<ArgumentException>(() => new StreamScorerOptions { BudgetConfidence = 0.9, FalseDiscoveryRate = 0.1 }.Validate()).Message, StringComparison.Ordinal);
        new StreamScorerOptions { BudgetConfidence = 0.9 }.Validate();
    }

    private static double Choose(int n, int k)
    {
        double c = 1;
        for (int i = 1; i <= k; i++)
        {
            c = c * (n - k + i) / i;
        }

        return c;
    }
}
