using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>
/// A ledger whose first <see cref="FailingConfirms"/> confirms land but lose their answer (a timeout after the write),
/// the outage case the ledger tells callers to retry; everything else goes straight to the real ledger inside.
/// </summary>
internal sealed class LostAnswerLedger(IQuarantineLedger inner, int failingConfirms) : IQuarantineLedger
{
    private int _confirms;

    public int FailingConfirms { get; } = failingConfirms;

    public int ConfirmCalls => Volatile.Read(ref _confirms);

    public async Task<TransitionResult> ConfirmReleaseAsync(string id, string claimToken, string actor, CancellationToken cancellationToken = default)
    {
        var result = await inner.ConfirmReleaseAsync(id, claimToken, actor, cancellationToken);
        if (Interlocked.Increment(ref _confirms) <= FailingConfirms)
        {
            throw new LedgerUnavailableException("answer lost", new TimeoutException("simulated timeout after the write"));
        }

        return result;
    }

    public Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default) =>
        inner.RecordAsync(records, cancellationToken);

    public Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        inner.PinRoutesAsync(routes, ttl, cancellationToken);

    public Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status, int offset, int count, string? source = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(status, offset, count, source, cancellationToken);

    public Task<TransitionResult> TryTransitionAsync(
        string id, QuarantineStatus to, string actor, string reason, CancellationToken cancellationToken = default) =>
        inner.TryTransitionAsync(id, to, actor, reason, cancellationToken);

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
