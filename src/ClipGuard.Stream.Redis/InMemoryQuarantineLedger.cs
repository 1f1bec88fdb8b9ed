namespace ClipGuard.Stream.Redis;

/// <summary>
/// The ledger in process memory, with the same semantics as <see cref="RedisQuarantineLedger"/> (the shared
/// behavioural tests hold both to them): for runs without Redis, where a restart forgets everything, and for tests.
/// </summary>
public sealed class InMemoryQuarantineLedger : IQuarantineLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<AuditEntry>> _audit = new(StringComparer.Ordinal);
    private readonly List<AuditEntry> _auditStream = [];
    private readonly Dictionary<string, long> _bySource = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PinnedRoute Route, DateTimeOffset Expires)> _pins = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _claimTimeout;
    private readonly int _auditCapacity;
    private long _quarantined;
    private long _released;
    private long _rejected;

    public InMemoryQuarantineLedger(
        TimeProvider? time = null,
        TimeSpan? releaseClaimTimeout = null,
        int auditCapacity = RedisOptions.DefaultAuditStreamLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(auditCapacity);
        _time = time ?? TimeProvider.System;
        _claimTimeout = releaseClaimTimeout ?? RedisOptions.DefaultReleaseClaimTimeout;
        _auditCapacity = auditCapacity;
    }

    public Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        DateTimeOffset now = _time.GetUtcNow();
        var pinned = new PinnedRoute[routes.Count];
        lock (_gate)
        {
            if (_pins.Count > 100_000)
            {
                foreach (string expired in _pins.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList())
                {
                    _pins.Remove(expired);
                }
            }

            for (int i = 0; i < routes.Count; i++)
            {
                (string id, PinnedRoute route) = routes[i];
                ArgumentException.ThrowIfNullOrEmpty(id);
                if (!_pins.TryGetValue(id, out var pin) || pin.Expires <= now)
                {
                    pin = (route, now + ttl);
                    _pins[id] = pin;
                }

                pinned[i] = pin.Route;
            }
        }

        return Task.FromResult<IReadOnlyList<PinnedRoute>>(pinned);
    }

    public Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            LedgerArguments.ValidateNew(record);
        }

        int added = 0;
        lock (_gate)
        {
            foreach (var record in records)
            {
                if (_entries.ContainsKey(record.Id))
                {
                    continue;
                }

                _entries.Add(record.Id, new Entry(Detach(record) with { QuarantinedAt = LedgerTime.Truncate(record.QuarantinedAt) }));
                _quarantined++;
                if (record.Source is { } source)
                {
                    _bySource[source] = _bySource.GetValueOrDefault(source) + 1;
                }

                added++;
            }
        }

        return Task.FromResult(added);
    }

    public Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        lock (_gate)
        {
            return Task.FromResult(_entries.TryGetValue(id, out var entry) ? Detach(entry.Record) : null);
        }
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status,
        int offset,
        int count,
        string? source = null,
        CancellationToken cancellationToken = default)
    {
        LedgerArguments.ValidatePage(offset, count, RedisQuarantineLedger.MaxPageSize);
        return Task.FromResult(Page(r => r.Status == status && (source is null || r.Source == source), offset, count));
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListCampaignAsync(
        string campaign,
        QuarantineStatus status,
        int offset,
        int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaign);
        LedgerArguments.ValidatePage(offset, count, RedisQuarantineLedger.MaxPageSize);
        return Task.FromResult(Page(r => r.Status == status && r.Campaign == campaign, offset, count));
    }

    public Task<IReadOnlyList<CampaignSummary>> ListCampaignsAsync(int offset, int count, CancellationToken cancellationToken = default)
    {
        LedgerArguments.ValidatePage(offset, count, RedisQuarantineLedger.MaxPageSize);
        lock (_gate)
        {
            // The order of the Redis registry read in reverse: newest member time descending, then id descending.
            IReadOnlyList<CampaignSummary> page =
            [
                .. _entries.Values
                    .Select(e => e.Record)
                    .Where(r => r.Campaign is not null)
                    .GroupBy(r => r.Campaign!, StringComparer.Ordinal)
                    .Select(g => Summarise(g.Key, [.. g]))
                    .OrderByDescending(c => c.LatestAt)
                    .ThenByDescending(c => c.Id, StringComparer.Ordinal)
                    .Skip(offset)
                    .Take(count),
            ];
            return Task.FromResult(page);
        }
    }

    public Task<CampaignSummary?> GetCampaignAsync(string campaign, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaign);
        lock (_gate)
        {
            var members = _entries.Values.Select(e => e.Record).Where(r => r.Campaign == campaign).ToList();
            return Task.FromResult(members.Count == 0 ? null : Summarise(campaign, members));
        }
    }

    public Task<TransitionResult> TryTransitionAsync(
        string id,
        QuarantineStatus to,
        string actor,
        string reason,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(Transition(id, LedgerArguments.ActionFor(to), actor, reason, Guid.NewGuid().ToString("N")));

    public Task<TransitionResult> ConfirmReleaseAsync(
        string id,
        string claimToken,
        string actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimToken);
        return Task.FromResult(Transition(id, AuditAction.ReleaseConfirm, actor, string.Empty, claimToken));
    }

    public Task<TransitionResult> AbortReleaseAsync(
        string id,
        string claimToken,
        string actor,
        string reason,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimToken);
        return Task.FromResult(Transition(id, AuditAction.ReleaseAbort, actor, reason, claimToken));
    }

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        lock (_gate)
        {
            IReadOnlyList<AuditEntry> entries = _audit.TryGetValue(id, out var list) ? [.. list] : [];
            return Task.FromResult(entries);
        }
    }

    public Task<IReadOnlyList<AuditEntry>> RecentAuditAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            IReadOnlyList<AuditEntry> entries = [.. Enumerable.Reverse(_auditStream).Take(count)];
            return Task.FromResult(entries);
        }
    }

    public Task<LedgerCounters> CountersAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            long awaiting = _entries.Values.Count(e => e.Record.Status == QuarantineStatus.Quarantined);
            return Task.FromResult(new LedgerCounters(
                _quarantined, _released, _rejected, awaiting, new Dictionary<string, long>(_bySource, StringComparer.Ordinal)));
        }
    }

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(TimeSpan.Zero);

    private static CampaignSummary Summarise(string campaign, IReadOnlyCollection<QuarantineRecord> members) => new(
        campaign,
        members.Max(r => r.QuarantinedAt),
        members.Count(r => r.Status == QuarantineStatus.Quarantined),
        members.Count(r => r.Status == QuarantineStatus.Releasing),
        members.Count(r => r.Status == QuarantineStatus.Released),
        members.Count(r => r.Status == QuarantineStatus.Rejected));

    // Same order as a Redis sorted set read in reverse: score (time) descending, then member descending.
    private IReadOnlyList<QuarantineRecord> Page(Func<QuarantineRecord, bool> where, int offset, int count)
    {
        lock (_gate)
        {
            return
            [
                .. _entries.Values
                    .Select(e => e.Record)
                    .Where(where)
                    .OrderByDescending(r => r.QuarantinedAt)
                    .ThenByDescending(r => r.Id, StringComparer.Ordinal)
                    .Skip(offset)
                    .Take(count)
                    .Select(Detach),
            ];
        }
    }

    // Mirrors LedgerScripts.Transition branch for branch; change both together.
    private TransitionResult Transition(string id, AuditAction action, string actor, string reason, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentNullException.ThrowIfNull(reason);
        var now = LedgerTime.Truncate(_time.GetUtcNow());
        lock (_gate)
        {
            _entries.TryGetValue(id, out var entry);
            var outcome = entry is null ? TransitionOutcome.NotFound : Decide(entry, action, token, now);
            Audit(new AuditEntry(id, now, actor, action, outcome, reason));
            if (entry is null)
            {
                return new TransitionResult(outcome, null);
            }

            var record = Detach(entry.Record);
            return outcome is TransitionOutcome.Claimed or TransitionOutcome.ReclaimedExpired
                ? new TransitionResult(outcome, record, token, entry.ClaimExpires)
                : new TransitionResult(outcome, record);
        }
    }

    private TransitionOutcome Decide(Entry entry, AuditAction action, string token, DateTimeOffset now)
    {
        bool settles = action is AuditAction.ReleaseConfirm or AuditAction.ReleaseAbort;
        switch (entry.Record.Status)
        {
            case QuarantineStatus.Released:
                return settles && entry.Claim != token ? TransitionOutcome.ClaimLost : TransitionOutcome.AlreadyReleased;
            case QuarantineStatus.Rejected:
                return TransitionOutcome.AlreadyRejected;
            case QuarantineStatus.Quarantined when action == AuditAction.Reject:
                entry.Record = entry.Record with { Status = QuarantineStatus.Rejected };
                _rejected++;
                return TransitionOutcome.Applied;
            case QuarantineStatus.Quarantined when action == AuditAction.ReleaseClaim:
                entry.Record = entry.Record with { Status = QuarantineStatus.Releasing };
                entry.Claim = token;
                entry.ClaimExpires = now + _claimTimeout;
                return TransitionOutcome.Claimed;
            case QuarantineStatus.Quarantined:
                return TransitionOutcome.ClaimLost;
            default:
                break;
        }

        if (action == AuditAction.ReleaseClaim)
        {
            if (entry.ClaimExpires > now)
            {
                return TransitionOutcome.ReleaseInProgress;
            }

            entry.Claim = token;
            entry.ClaimExpires = now + _claimTimeout;
            return TransitionOutcome.ReclaimedExpired;
        }

        if (action == AuditAction.Reject)
        {
            return TransitionOutcome.ReleaseInProgress;
        }

        if (entry.Claim != token)
        {
            return TransitionOutcome.ClaimLost;
        }

        if (action == AuditAction.ReleaseConfirm)
        {
            entry.Record = entry.Record with { Status = QuarantineStatus.Released };
            entry.ClaimExpires = null;
            _released++;
        }
        else
        {
            entry.Record = entry.Record with { Status = QuarantineStatus.Quarantined };
            entry.Claim = null;
            entry.ClaimExpires = null;
        }

        return TransitionOutcome.Applied;
    }

    private void Audit(AuditEntry entry)
    {
        if (!_audit.TryGetValue(entry.SampleId, out var list))
        {
            _audit[entry.SampleId] = list = [];
        }

        list.Add(entry);
        _auditStream.Add(entry);
        // Trim in chunks, like Redis's approximate MAXLEN, so one call never shifts the whole list.
        if (_auditStream.Count > _auditCapacity + (_auditCapacity / 10))
        {
            _auditStream.RemoveRange(0, _auditStream.Count - _auditCapacity);
        }
    }

    // Callers must not be able to change the stored bytes through the arrays they passed in or got back.
    private static QuarantineRecord Detach(QuarantineRecord r) => r with
    {
        Key = r.Key is null ? null : [.. r.Key],
        Value = [.. r.Value],
        NeighbourIds = [.. r.NeighbourIds],
        NeighbourDistances = [.. r.NeighbourDistances],
        Headers = [.. r.Headers.Select(h => new QuarantineHeader(h.Name, h.Value is null ? null : [.. h.Value]))],
    };

    private sealed class Entry(QuarantineRecord record)
    {
        public QuarantineRecord Record { get; set; } = record;

        public string? Claim { get; set; }

        public DateTimeOffset? ClaimExpires { get; set; }
    }
}
