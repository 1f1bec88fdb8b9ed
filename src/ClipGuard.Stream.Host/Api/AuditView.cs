using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>One audited decision call on a sample.</summary>
public sealed record AuditView(DateTimeOffset Time, string Actor, AuditAction Action, TransitionOutcome Outcome, string Reason)
{
    public static AuditView From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditView(entry.Time, entry.Actor, entry.Action, entry.Outcome, entry.Reason);
    }
}
