namespace ClipGuard.Stream.Redis;

/// <summary>Everything the ledger keeps about one quarantined sample: the verdict, where it came from, and the original message.</summary>
/// <remarks>
/// <see cref="Key"/>, <see cref="Value"/> and <see cref="Headers"/> are the original message byte for byte, because a
/// release republishes exactly them. <see cref="QuarantinedAt"/> is kept to the millisecond.
/// </remarks>
public sealed record QuarantineRecord
{
    public required string Id { get; init; }

    public required double Score { get; init; }

    public required string Detector { get; init; }

    public required int K { get; init; }

    public required int ReferenceSize { get; init; }

    public required long ReferenceVersion { get; init; }

    public required string ModelVersion { get; init; }

    public required double Threshold { get; init; }

    /// <summary>Ids of the reference neighbours the score came from, nearest first; parallel to <see cref="NeighbourDistances"/>.</summary>
    public IReadOnlyList<string> NeighbourIds { get; init; } = [];

    public IReadOnlyList<double> NeighbourDistances { get; init; } = [];

    public required string SourceTopic { get; init; }

    public required int SourcePartition { get; init; }

    public required long SourceOffset { get; init; }

    /// <summary>Original message key; null where the message had none.</summary>
    public byte[]? Key { get; init; }

    public required byte[] Value { get; init; }

    public IReadOnlyList<QuarantineHeader> Headers { get; init; } = [];

    public required DateTimeOffset QuarantinedAt { get; init; }

    /// <summary><see cref="QuarantineStatus.Quarantined"/> when recorded; the ledger owns every later change.</summary>
    public QuarantineStatus Status { get; init; } = QuarantineStatus.Quarantined;

    /// <summary>The crawler (or other producer) that supplied the sample; null where the message named none.</summary>
    public string? Source { get; init; }

    /// <summary>For operators reading the list; never used for decisions.</summary>
    public string? Caption { get; init; }

    /// <summary>Under the conformal rule: the fused p-value the sample was quarantined by.</summary>
    public double? PValue { get; init; }

    /// <summary>Under the conformal rule: the calibration version that gave <see cref="PValue"/>.</summary>
    public long? CalibrationVersion { get; init; }

    /// <summary>The campaign the sample was confirmed a member of, when any.</summary>
    public string? Campaign { get; init; }

    /// <summary>
    /// Set on a recall (docs/sentinel.md): the sample was routed clean under this model, and a later sentinel model
    /// (<see cref="ModelVersion"/>) judged it poisoned within its provisional window. Null for samples quarantined
    /// when they arrived.
    /// </summary>
    public string? RecalledFrom { get; init; }
}
