using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>What <c>clipguard clean</c> (and its merge step) was asked to do; checked by <see cref="Validate"/> first.</summary>
public sealed record CleanSettings(string Embeddings, string Out)
{
    /// <summary>
    /// Default random reference size: with k = 16 a poisoning rate r leaves about r·|R| poisoned references, which must
    /// stay well below k (docs/detection.md); 4,096 keeps that under 4 up to r = 0.1% and still gives stable densities.
    /// </summary>
    public const int DefaultReferenceSize = 4096;

    /// <summary>The default budget: the share of clean samples the fused p-value rule removes (the stream's default too).</summary>
    public const double DefaultFalseRemovalRate = 0.001;

    public OutlierDetector Detector { get; init; } = OutlierDetector.Dao;

    public int K { get; init; } = 16;

    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    public int ReferenceSize { get; init; } = DefaultReferenceSize;

    /// <summary>A reference .npy instead of a random draw from the dataset.</summary>
    public string? Reference { get; init; }

    public int Seed { get; init; }

    /// <summary>Remove this percentage of samples, highest scores first.</summary>
    public double? RemoveTopPercent { get; init; }

    /// <summary>Remove every sample scoring above this.</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// The default rule, used when neither <see cref="RemoveTopPercent"/> nor <see cref="Threshold"/> is given: remove
    /// samples whose fused p-value (<see cref="CleanCalibration"/>) is at most this share.
    /// </summary>
    public double FalseRemovalRate { get; init; } = DefaultFalseRemovalRate;

    /// <summary>
    /// When set, the budget rule holds <see cref="FalseRemovalRate"/> with this confidence over the draw of the
    /// calibration (<see cref="Core.Calibration.ConfidentCut"/>), not only on average; null = the marginal rule.
    /// </summary>
    public double? BudgetConfidence { get; init; }

    /// <summary>Whether the fused p-value budget decides (no --remove-top or --threshold given).</summary>
    public bool ByBudget => RemoveTopPercent is null && Threshold is null;

    public ShardSelection Shard { get; init; } = ShardSelection.All;

    public int Threads { get; init; }

    /// <summary>A caption shared by at least this many samples is reported as a burst.</summary>
    public int BurstMin { get; init; } = 10;

    /// <summary>How many of the highest-scoring samples the summary lists.</summary>
    public int Top { get; init; } = 20;

    public void Validate()
    {
        if (K < 1)
        {
            throw new OfflineInputException($"--k {K} must be at least 1");
        }

        if (Reference is null && ReferenceSize <= K)
        {
            throw new OfflineInputException($"--reference-size {ReferenceSize} must be larger than --k {K}");
        }

        if (RemoveTopPercent is not null && Threshold is not null)
        {
            throw new OfflineInputException("--remove-top and --threshold exclude each other: give one");
        }

        if (RemoveTopPercent is { } p && (double.IsNaN(p) || p < 0 || p > 100))
        {
            throw new OfflineInputException($"--remove-top {p} must be a percentage between 0 and 100");
        }

        if (Threshold is { } t && !double.IsFinite(t))
        {
            throw new OfflineInputException("--threshold must be a finite number");
        }

        if (!(FalseRemovalRate > 0 && FalseRemovalRate < 1))
        {
            throw new OfflineInputException($"--false-removal-rate {FalseRemovalRate} must be between 0 and 1");
        }

        if (BudgetConfidence is { } c)
        {
            if (!(c > 0 && c < 1))
            {
                throw new OfflineInputException($"--budget-confidence {c} must be between 0 and 1 (e.g. 0.9)");
            }

            if (!ByBudget)
            {
                throw new OfflineInputException("--budget-confidence applies to the p-value budget; it cannot go with --remove-top or --threshold");
            }
        }

        if (BurstMin < 2 || Top < 0 || Threads < 0)
        {
            throw new OfflineInputException("--burst-min must be at least 2, --top and --threads not negative");
        }
    }
}
