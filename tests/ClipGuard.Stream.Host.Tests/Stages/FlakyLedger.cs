using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>A ledger whose first <paramref name="failingWrites"/> record calls fail as an unreachable Redis does; everything else goes to the ledger inside.</summary>
internal sealed class FlakyLedger(IQuarantineLedger inner, int failingWrites) : IQuarantineLedger
{
    public int RecordCalls { get; private set; }

    public Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default)
    {
        if (++RecordCalls <= failingWrites)
        {
            throw new LedgerUnavailableException("simulated outage", new TimeoutException("redis down"));
        }

        return inner.RecordAsync(records, cancellationToken);
    }

    public Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        inner.PinRoutesAsync(routes, ttl, cancellationToken);

    public Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status, int offset, int count, string? source = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(status, offset, count, source, cancellationToken);

    public Task<TransitionResult> TryTransitionAsync(
        string id, QuarantineStatus to, string actor, string reason, CancellationToken cancellationToken = default) =>
        inner.TryTransitionAsync(id, to, actor, reason, cancellationToken);

    public Task<TransitionResult> ConfirmReleaseAsync(string id, string claimToken, string actor, CancellationToken cancellationToken = default) =>
        inner.ConfirmReleaseAsync(id, claimToken, actor, cancellationToken);

    public Task<TransitionResult> AbortReleaseAsync(
        string id, string claimToken, string actor, string reason, CancellationToken cancellationToken = default) =>
        inner.AbortReleaseAsync(id, claimToken, actor, reason, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string id, CancellationToken cancellationToken = default) =>
        inner.GetAuditAsync(id, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> RecentAuditAsync(int count, CancellationToken cancellationToken = default) =>
        inner.RecentAuditAsync(count, cancellationToken);

    public Task<LedgerCounters> CountersAsync(CancellationToken cancellationToken = default) => inner.CountersAsync(cancellationToken);

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
}
