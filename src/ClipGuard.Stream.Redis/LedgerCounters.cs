namespace ClipGuard.Stream.Redis;

/// <summary>Running totals since the ledger was created; a re-recorded sample never counts twice.</summary>
/// <param name="Quarantined">Samples ever recorded.</param>
/// <param name="AwaitingDecision">Samples whose status is <see cref="QuarantineStatus.Quarantined"/> now.</param>
/// <param name="QuarantinedBySource">Samples ever recorded, per source; samples without a source are not in it.</param>
public sealed record LedgerCounters(
    long Quarantined,
    long Released,
    long Rejected,
    long AwaitingDecision,
    IReadOnlyDictionary<string, long> QuarantinedBySource);
