using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>The outcome of one release or reject call, with the record as the ledger last reported it.</summary>
/// <param name="Record">Null when the id is unknown or the ledger could not be read.</param>
/// <param name="Detail">Human-readable explanation for operators; empty when the outcome says it all.</param>
public sealed record OperatorResult(string Id, OperatorOutcome Outcome, QuarantineRecord? Record, string Detail = "")
{
    /// <summary>The status to report: the record's, or null where there is no record.</summary>
    public QuarantineStatus? Status => Record?.Status;
}
