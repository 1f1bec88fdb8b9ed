namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>How the threshold is derived from the reference's leave-one-out score distribution.</summary>
public enum ThresholdRule
{
    /// <summary>
    /// exp(median + z · 1.4826 · MAD) of the log-scores (a modified z-score, Iglewicz and Hoaglin): unmoved by a few
    /// percent of poison in the set it is calibrated on, which a quantile is not (a 99.5% quantile of a set with 2%
    /// outliers falls among the outliers).
    /// </summary>
    RobustZ,

    /// <summary>A fixed quantile of the scores: only sound when the calibration set is known to be clean.</summary>
    Quantile,
}
