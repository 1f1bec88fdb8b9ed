namespace ClipGuard.Stream.Host.Api;

/// <summary>The ledger's running totals.</summary>
public sealed record CountersView(
    long Quarantined,
    long Released,
    long Rejected,
    long AwaitingDecision,
    IReadOnlyDictionary<string, long> QuarantinedBySource);
