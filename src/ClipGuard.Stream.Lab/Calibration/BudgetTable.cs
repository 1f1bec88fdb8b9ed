using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Calibration;

namespace ClipGuard.Stream.Lab.Calibration;

/// <summary>
/// What a false-quarantine budget means in one deployment, per calibration size: how far the marginal conformal cut's
/// realized rate spreads over calibration draws, and where the cut that holds the budget with a confidence lies
/// (<see cref="BudgetConfidence"/>; exact for continuous scores, nothing simulated).
/// </summary>
public static class BudgetTable
{
    /// <param name="rate">The budget α: share of clean samples the rule may quarantine.</param>
    /// <param name="signals">Signals fused by Bonferroni (2: image density and image–caption agreement): each is cut at α / m.</param>
    /// <param name="confidence">1 − δ: the probability over calibration draws that the realized rate stays within α.</param>
    /// <param name="sizes">Calibration scores per signal.</param>
    public static string Markdown(double rate, int signals, double confidence, IEnumerable<int> sizes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(signals, 1);
        ArgumentNullException.ThrowIfNull(sizes);
        double perSignal = rate / signals, delta = 1 - confidence, deltaPerSignal = delta / signals;
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Budget α = {rate * 1000:0.###} ‰ over {signals} signal(s): each signal is cut at α / {signals} = {perSignal * 1000:0.###} ‰; the fused rate is at most the sum over signals. Confidence {confidence:0.###}: each signal held with probability 1 − δ / {signals} = {1 - deltaPerSignal:0.####}.");
        text.AppendLine();
        text.AppendLine("| calibration scores per signal | marginal rule: rank | P(a signal's rate > α / m) | a signal's realized rate, median / 90 % / 99 % (‰) | fused rate, bound that holds with the confidence (‰) | confident rule: rank | its p-value level | a signal's mean rate (‰) | fused mean, worst case (‰) |");
        text.AppendLine("|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
            int marginal = BudgetConfidence.MarginalRank(n, perSignal);
            int confident = BudgetConfidence.ConfidentRank(n, perSignal, deltaPerSignal);
            string spread = marginal == 0
                ? "nothing quarantined"
                : string.Create(c, $"{Per(BudgetConfidence.RealizedQuantile(n, marginal, 0.5))} / {Per(BudgetConfidence.RealizedQuantile(n, marginal, 0.9))} / {Per(BudgetConfidence.RealizedQuantile(n, marginal, 0.99))}");
            // Each signal within its (1 − δ / m)-quantile with probability 1 − δ / m: the sum within the sum of them with 1 − δ.
            string fusedBound = marginal == 0 ? "0" : Per(signals * BudgetConfidence.RealizedQuantile(n, marginal, 1 - deltaPerSignal));
            double level = confident / (double)(n + 1);
            text.AppendLine(c, $"| {n:N0} | {marginal} | {(marginal == 0 ? "—" : BudgetConfidence.Exceedance(n, marginal, perSignal).ToString("0.000", c))} | {spread} | {fusedBound} | {confident} | {(confident == 0 ? "0 (nothing quarantined)" : level.ToString("0.00000", c))} | {Per(level)} | {Per(signals * level)} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"Fewest calibration scores per signal for any confident cut: {BudgetConfidence.ScoresNeeded(perSignal, deltaPerSignal):N0} ((1 − α / m)^n ≤ δ / m).");
        return text.ToString();
    }

    private static string Per(double rate) => (rate * 1000).ToString("0.000", CultureInfo.InvariantCulture);
}
