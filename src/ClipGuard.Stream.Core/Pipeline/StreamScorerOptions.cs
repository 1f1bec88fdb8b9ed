using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>How stream samples are scored and decided.</summary>
public sealed class StreamScorerOptions
{
    public const double DefaultThresholdQuantile = 0.995;
    public const double DefaultThresholdZ = 5.0;
    public const int DefaultBootstrapSize = 2_000;
    public const int DefaultRecalibrateEvery = 1_000;

    public OutlierDetector Detector { get; set; } = OutlierDetector.Dao;

    public ReferenceSetOptions Reference { get; set; } = new();

    public ThresholdRule ThresholdRule { get; set; } = ThresholdRule.RobustZ;

    /// <summary>The modified z-score cut of <see cref="ThresholdRule.RobustZ"/>.</summary>
    public double ThresholdZ { get; set; } = DefaultThresholdZ;

    /// <summary>
    /// With <see cref="ThresholdRule.Quantile"/>, the threshold is this quantile of the reference members' own leave-one-out scores (docs/detection.md:
    /// calibrate on the reference, since scores are only comparable for a fixed k, |R| and encoder).
    /// </summary>
    public double ThresholdQuantile { get; set; } = DefaultThresholdQuantile;

    /// <summary>A fixed threshold instead of the calibrated one (NaN = calibrate).</summary>
    public double FixedThreshold { get; set; } = double.NaN;

    /// <summary>Without a seed reference: samples buffered and scored leave-one-out before any routing.</summary>
    public int BootstrapSize { get; set; } = DefaultBootstrapSize;

    /// <summary>Reference changes between threshold recalibrations.</summary>
    public int RecalibrateEvery { get; set; } = DefaultRecalibrateEvery;

    /// <summary>Names the embedding model in verdicts ("precomputed" when messages carry embeddings).</summary>
    public string ModelVersion { get; set; } = "precomputed";

    public void Validate()
    {
        Reference.Validate();
        var errors = new List<string>();
        if (ThresholdQuantile is <= 0 or >= 1 || double.IsNaN(ThresholdQuantile))
        {
            errors.Add($"ThresholdQuantile must be in (0, 1) (got {ThresholdQuantile})");
        }

        if (ThresholdZ <= 0 || double.IsNaN(ThresholdZ))
        {
            errors.Add($"ThresholdZ must be positive (got {ThresholdZ})");
        }

        if (BootstrapSize <= Reference.K)
        {
            errors.Add($"BootstrapSize ({BootstrapSize}) must exceed K ({Reference.K})");
        }

        if (BootstrapSize > Reference.Capacity)
        {
            errors.Add($"BootstrapSize ({BootstrapSize}) must not exceed the reference capacity ({Reference.Capacity})");
        }

        if (RecalibrateEvery < 1)
        {
            errors.Add($"RecalibrateEvery must be at least 1 (got {RecalibrateEvery})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid scorer options: " + string.Join("; ", errors));
        }
    }
}
