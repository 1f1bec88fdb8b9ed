namespace ClipGuard.Stream.Redis;

/// <summary>
/// The durable list of quarantined samples, their operator decisions and the audit of every decision call.
/// </summary>
/// <remarks>
/// <para><b>Releasing exactly once.</b> A release is three calls, so that only one caller ever republishes:</para>
/// <list type="number">
/// <item><see cref="TryTransitionAsync"/> with <see cref="QuarantineStatus.Released"/>. Exactly one concurrent caller
/// gets <see cref="TransitionOutcome.Claimed"/> and a claim token (status becomes
/// <see cref="QuarantineStatus.Releasing"/>); the others get <see cref="TransitionOutcome.ReleaseInProgress"/>,
/// <see cref="TransitionOutcome.AlreadyReleased"/> and so on and must not publish anything.</item>
/// <item>The claim holder republishes <see cref="QuarantineRecord.Key"/>, <see cref="QuarantineRecord.Value"/> and
/// <see cref="QuarantineRecord.Headers"/> to the clean topic and waits for the broker's acknowledgement.</item>
/// <item>On acknowledgement: <see cref="ConfirmReleaseAsync"/> with the token (status becomes
/// <see cref="QuarantineStatus.Released"/>). If the publish failed: <see cref="AbortReleaseAsync"/> with the token
/// (back to <see cref="QuarantineStatus.Quarantined"/>, so a later release can try again).</item>
/// </list>
/// <para>If confirm throws <see cref="LedgerUnavailableException"/>, retry it with the same token; a retry whose first
/// attempt did land answers <see cref="TransitionOutcome.AlreadyReleased"/>, which the holder treats as done.</para>
/// <para><b>The crash window, honestly.</b> A claim lives for the configured claim timeout. If its holder dies (or
/// stalls past the timeout) after the broker acknowledged the publish but before the confirm landed, the sample stays
/// <see cref="QuarantineStatus.Releasing"/>; the next release call after the timeout gets
/// <see cref="TransitionOutcome.ReclaimedExpired"/> and republishes, so the clean topic can then hold two copies with
/// the same key (consumers deduplicate by key). A late confirm by the first holder answers
/// <see cref="TransitionOutcome.ClaimLost"/>. Likewise, a claim call that timed out but landed leaves the caller
/// without a token: the sample reads <see cref="QuarantineStatus.Releasing"/> until the claim expires, and the next
/// release then re-claims it (nothing was published, so no duplicate). A reject never takes over a claim, live or
/// expired: a stalled release is finished by calling release again.</para>
/// <para>Claim expiry compares the clocks of the callers (each call passes its own time), so hosts must keep their
/// clocks synchronised to well within the claim timeout.</para>
/// </remarks>
public interface IQuarantineLedger
{
    /// <summary>
    /// Records quarantined samples; a sample whose id is already in the ledger is left exactly as it is (status,
    /// counters, indexes). Each record is written atomically; the batch as a whole is not.
    /// </summary>
    /// <returns>How many of the records were new.</returns>
    /// <exception cref="LedgerUnavailableException">The store is unreachable: some records may have been written.</exception>
    Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pins each id's route for <paramref name="ttl"/>, first claim wins: an id not pinned yet takes the route given,
    /// an id pinned already keeps its pinned route. Returns the route each id is pinned to, in order. Under
    /// at-least-once delivery a message is processed again when its replica died before committing (or a rebalance
    /// refused the commit), possibly by another replica against a changed reference; routing it by its pin keeps every
    /// id on one output topic. Atomic per id, so two replicas processing the same message concurrently agree too.
    /// </summary>
    /// <exception cref="LedgerUnavailableException">The store is unreachable.</exception>
    Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default);

    Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Records with the given status, newest <see cref="QuarantineRecord.QuarantinedAt"/> first (ties: id descending).</summary>
    /// <param name="source">Only records from this source; null for all.</param>
    Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status,
        int offset,
        int count,
        string? source = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The members of one campaign (<see cref="QuarantineRecord.Campaign"/>) with the given status, in the order of
    /// <see cref="ListAsync"/>; read from an index per campaign and status, written atomically with each record and
    /// status change.
    /// </summary>
    Task<IReadOnlyList<QuarantineRecord>> ListCampaignAsync(
        string campaign,
        QuarantineStatus status,
        int offset,
        int count,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The campaigns that have members in the ledger, the one whose newest member was quarantined last first (ties:
    /// id descending), each with its members counted per status.
    /// </summary>
    Task<IReadOnlyList<CampaignSummary>> ListCampaignsAsync(int offset, int count, CancellationToken cancellationToken = default);

    /// <summary>One campaign's member counts; null when no record names it.</summary>
    Task<CampaignSummary?> GetCampaignAsync(string campaign, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a release (<paramref name="to"/> = <see cref="QuarantineStatus.Released"/>: grants the claim described
    /// above) or rejects (<see cref="QuarantineStatus.Rejected"/>: final at once). Only a
    /// <see cref="QuarantineStatus.Quarantined"/> sample (or, for release, one whose claim expired) changes; the call
    /// is audited whatever it gets.
    /// </summary>
    Task<TransitionResult> TryTransitionAsync(
        string id,
        QuarantineStatus to,
        string actor,
        string reason,
        CancellationToken cancellationToken = default);

    /// <summary>Ends a release after the republish was acknowledged. Audited.</summary>
    Task<TransitionResult> ConfirmReleaseAsync(
        string id,
        string claimToken,
        string actor,
        CancellationToken cancellationToken = default);

    /// <summary>Gives a release claim back after the republish failed; the sample is quarantined again. Audited.</summary>
    Task<TransitionResult> AbortReleaseAsync(
        string id,
        string claimToken,
        string actor,
        string reason,
        CancellationToken cancellationToken = default);

    /// <summary>Every status-change call made for this id, oldest first, including calls for an id never recorded.</summary>
    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The latest status-change calls across all samples, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> RecentAuditAsync(int count, CancellationToken cancellationToken = default);

    Task<LedgerCounters> CountersAsync(CancellationToken cancellationToken = default);

    /// <summary>Health probe: the store's round-trip time.</summary>
    /// <exception cref="LedgerUnavailableException">The store is unreachable.</exception>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default);
}
