namespace ClipGuard.Stream.Redis;

/// <summary>Where a quarantined sample stands in the operator's decision.</summary>
public enum QuarantineStatus
{
    /// <summary>Awaiting an operator decision; the only status a release or a reject starts from.</summary>
    Quarantined,

    /// <summary>One caller holds a release claim and is republishing; see <see cref="IQuarantineLedger.ConfirmReleaseAsync"/>.</summary>
    Releasing,

    Released,
    Rejected,
}
