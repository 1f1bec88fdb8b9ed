using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>A ledger that hands every call to the one inside; test doubles override the calls they disturb.</summary>
internal abstract class DelegatingLedger(IQuarantineLedger inner) : IQuarantineLedger
{
    protected IQuarantineLedger Inner { get; } = inner;

    public virtual Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default) =>
        Inner.RecordAsync(records, cancellationToken);

    public Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        Inner.PinRoutesAsync(routes, ttl, cancellationToken);

    public Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default) => Inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status, int offset, int count, string? source = null, CancellationToken cancellationToken = default) =>
        Inner.ListAsync(status, offset, count, source, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListCampaignAsync(
        string campaign, QuarantineStatus status, int offset, int count, CancellationToken cancellationToken = default) =>
        Inner.ListCampaignAsync(campaign, status, offset, count, cancellationToken);

    public Task<IReadOnlyList<CampaignSummary>> ListCampaignsAsync(int offset, int count, CancellationToken cancellationToken = default) =>
        Inner.ListCampaignsAsync(offset, count, cancellationToken);

    public Task<CampaignSummary?> GetCampaignAsync(string campaign, CancellationToken cancellationToken = default) =>
        Inner.GetCampaignAsync(campaign, cancellationToken);

    public Task<TransitionResult> TryTransitionAsync(
        string id, QuarantineStatus to, string actor, string reason, CancellationToken cancellationToken = default) =>
        Inner.TryTransitionAsync(id, to, actor, reason, cancellationToken);

    public virtual Task<TransitionResult> ConfirmReleaseAsync(string id, string claimToken, string actor, CancellationToken cancellationToken = default) =>
        Inner.ConfirmReleaseAsync(id, claimToken, actor, cancellationToken);

    public Task<TransitionResult> AbortReleaseAsync(
        string id, string claimToken, string actor, string reason, CancellationToken cancellationToken = default) =>
        Inner.AbortReleaseAsync(id, claimToken, actor, reason, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string id, CancellationToken cancellationToken = default) =>
        Inner.GetAuditAsync(id, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> RecentAuditAsync(int count, CancellationToken cancellationToken = default) =>
        Inner.RecentAuditAsync(count, cancellationToken);

    public Task<LedgerCounters> CountersAsync(CancellationToken cancellationToken = default) => Inner.CountersAsync(cancellationToken);

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => Inner.PingAsync(cancellationToken);
}
