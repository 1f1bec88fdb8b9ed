namespace ClipGuard.Stream.Redis;

/// <summary>One status-change call, whoever won: who asked, for what, and what they got.</summary>
public sealed record AuditEntry(
    string SampleId,
    DateTimeOffset Time,
    string Actor,
    AuditAction Action,
    TransitionOutcome Outcome,
    string Reason);
