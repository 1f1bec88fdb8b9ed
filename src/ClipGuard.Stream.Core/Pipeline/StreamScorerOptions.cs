using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Campaigns;
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
    public const double DefaultFalseQuarantineRate = 0.0001;
    public const double DefaultAdmissionFloor = 0.2;
    public const double DefaultCalibrationShare = 0.05;
    public const int DefaultCalibrationPoolSize = 25_000;
    public const int DefaultMinimumCalibration = 200;
    public const int DefaultGuardSize = 16_384;

    /// <remarks>DAO: a local ratio, so a sparse cluster of clean samples is not an outlier. k-distance routed better on
    /// the lab's scenes under the conformal rule (docs/detection-results.md) but caught 5 % of the planted outliers of a
    /// synthetic stream whose clusters differ in density, where DAO caught over 95 % (StreamScorerTests).</remarks>
    public OutlierDetector Detector { get; set; } = OutlierDetector.Dao;

    public ReferenceSetOptions Reference { get; set; } = new();

    /// <remarks>
    /// Conformal: on every lab stream it routed better than robust z (docs/detection-results.md, lab replay: precision
    /// 0.004 → 0.53, 0.35 → 0.85, 0.05 → 0.24 at the same or higher recall, and 0.6–1.4 ‰ of clean samples quarantined
    /// instead of 8–10 ‰). Robust z remains for comparison (<c>RobustZ</c>).
    /// </remarks>
    public ThresholdRule ThresholdRule { get; set; } = ThresholdRule.Conformal;

    /// <summary>
    /// The conformal rule's budget: the share of clean samples it may quarantine (a sample is quarantined when its fused
    /// p-value is at most this). The default 0.0001 (one clean sample in ten thousand) is what a precision of 0.9 at a
    /// poisoning rate of 0.1 % asks for; it needs signals / budget − 1 = 19,999 calibration scores before the rule can
    /// quarantine anything (until then only campaigns quarantine: docs/detection.md, "The default operating point").
    /// </summary>
    public double FalseQuarantineRate { get; set; } = DefaultFalseQuarantineRate;

    /// <summary>
    /// Instead of <see cref="FalseQuarantineRate"/>: Benjamini–Hochberg over each micro-batch's p-values at this
    /// false-discovery rate (the expected share of clean samples among those quarantined). NaN = off.
    /// </summary>
    public double FalseDiscoveryRate { get; set; } = double.NaN;

    /// <summary>
    /// With <see cref="FalseQuarantineRate"/>: the probability, over the draw of the calibration set, that this
    /// deployment's realized false-quarantine rate stays at or below the budget (0.9 = in nine deployments of ten).
    /// The cut moves to the calibration rank that guarantees it (<see cref="ClipGuard.Stream.Core.Calibration.BudgetConfidence"/>); while
    /// the calibration is too small for any rank, the budget rule quarantines nothing. NaN (default) = the marginal
    /// rule, which holds the budget on average over calibration draws only.
    /// </summary>
    public double BudgetConfidence { get; set; } = double.NaN;

    /// <summary>
    /// A sample routed clean is offered to the reference only when its fused p-value, and its p-value against the
    /// frozen starting reference, are both at least this: only samples well inside the clean distribution enter.
    /// </summary>
    public double AdmissionFloor { get; set; } = DefaultAdmissionFloor;

    /// <summary>
    /// Most members of the admission guard (the frozen starting reference): a larger starting set is represented by a
    /// uniform sample of this many of its members, drawn with <see cref="ReferenceSetOptions.Seed"/> so replicas hold the
    /// same guard. 0 = every starting member. The guard is a second copy of the vectors it keeps, and its k-NN is paid
    /// for every admission candidate: the cap keeps both fixed as the seed grows (docs/benchmarks.md, "Memory").
    /// </summary>
    public int GuardSize { get; set; } = DefaultGuardSize;

    /// <summary>Share of the samples routed clean held out (never admitted) to calibrate p-values on.</summary>
    public double CalibrationShare { get; set; } = DefaultCalibrationShare;

    /// <summary>Most held-out calibration samples kept (the newest).</summary>
    public int CalibrationPoolSize { get; set; } = DefaultCalibrationPoolSize;

    /// <summary>
    /// What the image–caption agreement signal calibrates on: the trusted start's pairs when it has captions (default),
    /// or held-out stream samples as the density signal does.
    /// </summary>
    public AgreementCalibration AgreementCalibration { get; set; } = AgreementCalibration.Trusted;

    /// <summary>The image–caption agreement signal takes part once this many calibration samples have a caption embedding.</summary>
    public int MinimumCalibration { get; set; } = DefaultMinimumCalibration;

    /// <summary>Fuse the pair's image–caption agreement with the image density when samples carry caption embeddings.</summary>
    public bool UseAgreement { get; set; } = true;

    /// <summary>Campaign confirmation under the conformal rule (needs caption embeddings).</summary>
    public CampaignOptions Campaigns { get; set; } = new();

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

        if (FalseQuarantineRate is <= 0 or >= 1 || double.IsNaN(FalseQuarantineRate))
        {
            errors.Add($"FalseQuarantineRate must be in (0, 1) (got {FalseQuarantineRate})");
        }

        if (FalseDiscoveryRate is <= 0 or >= 1)
        {
            errors.Add($"FalseDiscoveryRate must be in (0, 1) or unset (got {FalseDiscoveryRate})");
        }

        if (BudgetConfidence is <= 0 or >= 1)
        {
            errors.Add($"BudgetConfidence must be in (0, 1) or unset (got {BudgetConfidence})");
        }

        if (!double.IsNaN(BudgetConfidence) && !double.IsNaN(FalseDiscoveryRate))
        {
            errors.Add("BudgetConfidence applies to the false-quarantine budget, not to FalseDiscoveryRate: set one of them");
        }

        if (AdmissionFloor is < 0 or > 1 || double.IsNaN(AdmissionFloor))
        {
            errors.Add($"AdmissionFloor must be in [0, 1] (got {AdmissionFloor})");
        }

        if (CalibrationShare is < 0 or >= 1 || double.IsNaN(CalibrationShare))
        {
            errors.Add($"CalibrationShare must be in [0, 1) (got {CalibrationShare})");
        }

        if (GuardSize != 0 && GuardSize <= Reference.K)
        {
            errors.Add($"GuardSize must be 0 (every starting member) or exceed K ({Reference.K}) (got {GuardSize})");
        }

        if (CalibrationPoolSize < 1)
        {
            errors.Add($"CalibrationPoolSize must be at least 1 (got {CalibrationPoolSize})");
        }

        if (MinimumCalibration < 1)
        {
            errors.Add($"MinimumCalibration must be at least 1 (got {MinimumCalibration})");
        }

        Campaigns.Validate(errors);
        if (RecalibrateEvery < 1)
        {
            errors.Add($"RecalibrateEvery must be at least 1 (got {RecalibrateEvery})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid scorer options: " + string.Join("; ", errors));
        }
    }

    /// <summary>A shallow copy (nested option objects are shared; the scorer changes only <see cref="ModelVersion"/>).</summary>
    internal StreamScorerOptions Copy() => (StreamScorerOptions)MemberwiseClone();
}
