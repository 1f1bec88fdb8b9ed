using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>
/// One replay, measured at the routing decision: the quarantine route's precision and recall, the share of clean
/// samples quarantined, and how many poisons the reference (and the calibration pool) held over the stream.
/// </summary>
public sealed record ReplayResult
{
    public required string Name { get; init; }

    public required int Poisons { get; init; }

    public required int Clean { get; init; }

    /// <summary>Poisons routed to quarantine.</summary>
    public required int TruePositives { get; init; }

    /// <summary>Clean samples routed to quarantine.</summary>
    public required int FalsePositives { get; init; }

    /// <summary>TP / (TP + FP); NaN when nothing was quarantined.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => Poisons == 0 ? double.NaN : (double)TruePositives / Poisons;

    /// <summary>Clean samples quarantined, as a share of the clean samples streamed.</summary>
    public double FalseQuarantineRate => Clean == 0 ? double.NaN : (double)FalsePositives / Clean;

    /// <summary>Most poisons that were reference members at once, over the whole stream.</summary>
    public required int MaxPoisonsInReference { get; init; }

    public required int PoisonsInReferenceAtEnd { get; init; }

    /// <summary>Most poisons held out in the calibration pool at once.</summary>
    public required int MaxPoisonsInCalibration { get; init; }

    public required int ReferenceSizeAtEnd { get; init; }

    public required int Admitted { get; init; }

    /// <summary>Routed clean but kept out of the reference by the admission floor.</summary>
    public required long BelowFloor { get; init; }

    public required int CalibrationHeldOut { get; init; }

    /// <summary>Poisons in the reference after each batch (the contamination curve).</summary>
    public required IReadOnlyList<int> PoisonsInReference { get; init; }

    public required double Seconds { get; init; }

    /// <summary>Campaigns confirmed.</summary>
    public int Campaigns { get; init; }

    /// <summary>Poisons and clean samples quarantined as campaign members at arrival (part of TP and FP).</summary>
    public int CampaignPoisons { get; init; }

    public int CampaignClean { get; init; }

    /// <summary>Poisons and clean samples routed clean, then revoked when their campaign was confirmed.</summary>
    public int RevokedPoisons { get; init; }

    public int RevokedClean { get; init; }

    /// <summary>Recall counting revoked poisons as caught: the share of poisons that end up quarantined or revoked.</summary>
    public double RecallWithRevocations => Poisons == 0 ? double.NaN : (double)(TruePositives + RevokedPoisons) / Poisons;

    /// <summary>Every sample's verdict in arrival order (empty unless <see cref="ReplayOptions.KeepVerdicts"/>); revoked ones marked.</summary>
    [JsonIgnore]
    public IReadOnlyList<ReplayVerdict> Verdicts { get; init; } = [];
}
