namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// The per-signal p-value levels that hold a false-quarantine budget α with confidence 1 − δ over the draw of the
/// calibration (<see cref="BudgetConfidence"/>): with two signals each is cut at α / 2 with confidence 1 − δ / 2 (a union
/// bound), and a sample that only the density signal can judge is cut at α, δ. A level of 0 flags nothing. The stream's
/// scorer and <c>clipguard clean</c> both decide by it.
/// </summary>
/// <param name="Density">Level of the density p-value when the agreement signal takes part.</param>
/// <param name="Agreement">Level of the agreement p-value (0 when the calibration has no agreement scores).</param>
/// <param name="DensityAlone">Level of the density p-value for a sample without an agreement p-value.</param>
public sealed record ConfidentCut(double Density, double Agreement, double DensityAlone)
{
    /// <summary>The cut for calibrations of <paramref name="densityCount"/> density and <paramref name="agreementCount"/> agreement scores (0 = no agreement signal).</summary>
    public static ConfidentCut For(int densityCount, int agreementCount, double alpha, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(densityCount);
        ArgumentOutOfRangeException.ThrowIfNegative(agreementCount);
        double delta = 1 - confidence;
        int m = agreementCount > 0 ? 2 : 1;
        return new ConfidentCut(
            densityCount > 0 ? BudgetConfidence.ConfidentLevel(densityCount, alpha / m, delta / m) : 0,
            agreementCount > 0 ? BudgetConfidence.ConfidentLevel(agreementCount, alpha / m, delta / m) : 0,
            densityCount > 0 ? BudgetConfidence.ConfidentLevel(densityCount, alpha, delta) : 0);
    }

    /// <summary>
    /// The fewest calibration scores per signal for which the cut exists: each of <paramref name="signals"/> signals at
    /// α / signals with confidence 1 − δ / signals, as <see cref="For"/> splits them.
    /// </summary>
    public static int ScoresNeeded(int signals, double alpha, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(signals, 1);
        return BudgetConfidence.ScoresNeeded(alpha / signals, (1 - confidence) / signals);
    }

    /// <summary>
    /// True when no sample judged by every signal of the calibration can be flagged (it is too small for this budget at
    /// this confidence). Without an agreement signal <see cref="Density"/> is the density-alone level.
    /// </summary>
    public bool Unreachable => Density == 0 && Agreement == 0;

    /// <summary>Whether a sample with these per-signal p-values (NaN agreement: the density decides alone) is beyond the cut.</summary>
    public bool Exceeds(double density, double agreement) => double.IsNaN(agreement)
        ? density <= DensityAlone
        : density <= Density || agreement <= Agreement;
}
