namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>How the threshold is derived from the reference's leave-one-out score distribution.</summary>
public enum ThresholdRule
{
    /// <summary>
    /// Conformal p-values from a held-out calibration pool (docs/detection.md): the operator states a false-quarantine
    /// rate (or a false-discovery rate per batch), not a score cut, and it holds whatever the detector's score shape.
    /// </summary>
    Conformal,

    /// <summary>
    /// exp(median + z · 1.4826 · MAD) of the log-scores (a modified z-score, Iglewicz and Hoaglin): unmoved by a few
    /// percent of poison in the set it is calibrated on, which a quantile is not (a 99.5% quantile of a set with 2%
    /// outliers falls among the outliers).
    /// </summary>
    RobustZ,

    /// <summary>A fixed quantile of the scores: only sound when the calibration set is known to be clean.</summary>
    Quantile,
}
