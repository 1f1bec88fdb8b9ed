using System.Numerics;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.Reference;

/// <summary>
/// Everything a <see cref="ReferenceSet{T}"/> needs to come back exactly: options, version, the distinct points (in
/// metric space), the members in arrival order, and the hold-back queue. Density state is not stored: it is a pure
/// function of the points and is recomputed exactly on restore, so a restored set has zero drift by construction.
/// </summary>
public sealed record ReferenceSetState<T>(
    ReferenceSetOptions Options,
    long Version,
    long EligibleSeen,
    Matrix<T> Points,
    IReadOnlyList<ReferenceMemberState> Members,
    IReadOnlyList<PendingSampleState<T>> HoldBack)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The next offset of the replicated reference log this state has not applied (see ReferenceSet.LogPosition).</summary>
    public long LogPosition { get; init; }

    /// <summary>The embedding model of the vectors (see ReferenceSet.ModelVersion); null when unknown.</summary>
    public string? ModelVersion { get; init; }
}
