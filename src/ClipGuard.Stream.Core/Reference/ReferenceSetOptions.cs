using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Reference;

/// <summary>Bounds and admission rules of the poison-resistant reference set (see docs/detection.md).</summary>
public sealed class ReferenceSetOptions
{
    public const int DefaultCapacity = 50_000;
    public const int DefaultK = 16;
    public const int DefaultHoldBack = 1_000;
    public const double DefaultMaxSourceShare = 0.05;

    /// <summary>Most members the set holds.</summary>
    public int Capacity { get; set; } = DefaultCapacity;

    public int K { get; set; } = DefaultK;

    public DistanceMetric Metric { get; set; } = DistanceMetric.Euclidean;

    public AdmissionPolicy Policy { get; set; } = AdmissionPolicy.Reservoir;

    /// <summary>
    /// A cleared sample waits until this many later samples were cleared before it may enter, so an operator reject
    /// or a re-score can still revoke it while it cannot yet shape anyone's neighbourhood.
    /// </summary>
    public int HoldBack { get; set; } = DefaultHoldBack;

    /// <summary>Largest share of the capacity one source (crawler, domain) may hold.</summary>
    public double MaxSourceShare { get; set; } = DefaultMaxSourceShare;

    /// <summary>Seed of the admission lottery, so a replay admits the same samples.</summary>
    public int Seed { get; set; } = 1;

    public int Threads { get; set; }

    /// <summary>Throws with every violated bound named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (K < 1)
        {
            errors.Add($"K must be at least 1 (got {K})");
        }

        if (Capacity <= K)
        {
            errors.Add($"Capacity ({Capacity}) must exceed K ({K})");
        }

        if (HoldBack < 0)
        {
            errors.Add($"HoldBack must be non-negative (got {HoldBack})");
        }

        if (MaxSourceShare is <= 0 or > 1 || double.IsNaN(MaxSourceShare))
        {
            errors.Add($"MaxSourceShare must be in (0, 1] (got {MaxSourceShare})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid reference set options: " + string.Join("; ", errors));
        }
    }

    /// <summary>Most members per source.</summary>
    public int SourceCap => Math.Max(1, (int)Math.Floor(Capacity * MaxSourceShare));
}
