using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>
/// The quarantine ledger on Redis: one hash per sample, status indexes, counters and audit, and the audit of refused
/// API calls; layout in <see cref="LedgerKeys"/>.
/// </summary>
public sealed class RedisQuarantineLedger : IQuarantineLedger, IRefusalLog
{
    /// <summary>Most records one <see cref="ListAsync"/> call returns, so one script never blocks Redis for long.</summary>
    public const int MaxPageSize = 1_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisQuarantineLedger> _logger;
    private readonly LedgerKeys _keys;

    public RedisQuarantineLedger(
        IConnectionMultiplexer redis,
        IOptions<RedisOptions> options,
        TimeProvider time,
        ILogger<RedisQuarantineLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _keys = new LedgerKeys(_options.KeyPrefix);
    }

    private IDatabase Db => _redis.GetDatabase();

    public Task<IReadOnlyList<PinnedRoute>> PinRoutesAsync(IReadOnlyList<(string Id, PinnedRoute Route)> routes, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return GuardAsync<IReadOnlyList<PinnedRoute>>(nameof(PinRoutesAsync), cancellationToken, async () =>
        {
            if (routes.Count == 0)
            {
                return [];
            }

            var keys = new RedisKey[routes.Count];
            var args = new RedisValue[routes.Count + 1];
            args[0] = (long)ttl.TotalMilliseconds;
            for (int i = 0; i < routes.Count; i++)
            {
                ArgumentException.ThrowIfNullOrEmpty(routes[i].Id);
                keys[i] = _keys.Route(routes[i].Id);
                args[i + 1] = routes[i].Route == PinnedRoute.Quarantine ? "q" : "c";
            }

            var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(LedgerScripts.PinRoutes, keys, args).ConfigureAwait(false))!;
            return reply.Select(r => r.ToString() == "q" ? PinnedRoute.Quarantine : PinnedRoute.Clean).ToArray();
        });
    }

    public Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            LedgerArguments.ValidateNew(record);
        }

        return GuardAsync(nameof(RecordAsync), cancellationToken, async () =>
        {
            if (records.Count == 0)
            {
                return 0;
            }

            // One batch: every record's script goes out in a single write, each still atomic on its own.
            var batch = Db.CreateBatch();
            var pending = new Task<RedisResult>[records.Count];
            for (int i = 0; i < records.Count; i++)
            {
                var r = records[i];
                var args = new List<RedisValue>
                {
                    _keys.Prefix, r.Id, LedgerTime.ToUnixMs(r.QuarantinedAt), r.Source ?? string.Empty, r.Campaign ?? string.Empty,
                };
                args.AddRange(RecordCodec.ToFields(r));
                pending[i] = batch.ScriptEvaluateAsync(
                    LedgerScripts.Record,
                    [_keys.Record(r.Id), _keys.Counters, _keys.SourceCounters, _keys.Campaigns],
                    [.. args]);
            }

            batch.Execute();
            var results = await Task.WhenAll(pending).ConfigureAwait(false);
            int added = results.Sum(r => (int)r);
            Log.Recorded(_logger, added, records.Count);
            return added;
        });
    }

    public Task<QuarantineRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return GuardAsync(nameof(GetAsync), cancellationToken, async () =>
            RecordCodec.FromHash(await Db.HashGetAllAsync(_keys.Record(id)).ConfigureAwait(false)));
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(
        QuarantineStatus status,
        int offset,
        int count,
        string? source = null,
        CancellationToken cancellationToken = default)
    {
        LedgerArguments.ValidatePage(offset, count, MaxPageSize);
        return ListIndexAsync(nameof(ListAsync), _keys.Index(status, source), offset, count, cancellationToken);
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListCampaignAsync(
        string campaign,
        QuarantineStatus status,
        int offset,
        int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaign);
        LedgerArguments.ValidatePage(offset, count, MaxPageSize);
        return ListIndexAsync(nameof(ListCampaignAsync), _keys.CampaignIndex(status, campaign), offset, count, cancellationToken);
    }

    public Task<IReadOnlyList<CampaignSummary>> ListCampaignsAsync(int offset, int count, CancellationToken cancellationToken = default)
    {
        LedgerArguments.ValidatePage(offset, count, MaxPageSize);
        return count == 0
            ? Task.FromResult<IReadOnlyList<CampaignSummary>>([])
            : CampaignsAsync(nameof(ListCampaignsAsync), cancellationToken, "range", offset, offset + count - 1);
    }

    public Task<CampaignSummary?> GetCampaignAsync(string campaign, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaign);
        return FirstAsync(CampaignsAsync(nameof(GetCampaignAsync), cancellationToken, "one", campaign));

        static async Task<CampaignSummary?> FirstAsync(Task<IReadOnlyList<CampaignSummary>> found) =>
            await found.ConfigureAwait(false) is [var first, ..] ? first : null;
    }

    public Task<TransitionResult> TryTransitionAsync(
        string id,
        QuarantineStatus to,
        string actor,
        string reason,
        CancellationToken cancellationToken = default)
    {
        var action = LedgerArguments.ActionFor(to);
        return TransitionAsync(id, action, actor, reason, Guid.NewGuid().ToString("N"), cancellationToken);
    }

    public Task<TransitionResult> ConfirmReleaseAsync(
        string id,
        string claimToken,
        string actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimToken);
        return TransitionAsync(id, AuditAction.ReleaseConfirm, actor, string.Empty, claimToken, cancellationToken);
    }

    public Task<TransitionResult> AbortReleaseAsync(
        string id,
        string claimToken,
        string actor,
        string reason,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimToken);
        return TransitionAsync(id, AuditAction.ReleaseAbort, actor, reason, claimToken, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return GuardAsync(nameof(GetAuditAsync), cancellationToken, async () =>
        {
            var entries = await Db.ListRangeAsync(_keys.Audit(id)).ConfigureAwait(false);
            return (IReadOnlyList<AuditEntry>)[.. entries.Select(e => ParseAuditJson(e.ToString()))];
        });
    }

    public Task<IReadOnlyList<AuditEntry>> RecentAuditAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return GuardAsync(nameof(RecentAuditAsync), cancellationToken, async () =>
        {
            var entries = await Db.StreamRangeAsync(
                _keys.AuditStream, count: count, messageOrder: Order.Descending).ConfigureAwait(false);
            return (IReadOnlyList<AuditEntry>)[.. entries.Select(ParseAuditStreamEntry)];
        });
    }

    public Task RecordRefusalAsync(RefusedCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        string path = call.Path.Length > RefusedCall.MaxPathLength ? call.Path[..RefusedCall.MaxPathLength] : call.Path;
        return GuardAsync(nameof(RecordRefusalAsync), cancellationToken, () => Db.StreamAddAsync(
            _keys.RefusalStream,
            [
                new NameValueEntry("t", LedgerTime.ToUnixMs(call.Time)),
                new NameValueEntry("address", call.Address),
                new NameValueEntry("method", call.Method),
                new NameValueEntry("path", path),
                new NameValueEntry("status", call.Status),
                new NameValueEntry("reason", call.Reason),
            ],
            maxLength: _options.AuditStreamMaxLength,
            useApproximateMaxLength: true));
    }

    public Task<IReadOnlyList<RefusedCall>> RecentRefusalsAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return GuardAsync(nameof(RecentRefusalsAsync), cancellationToken, async () =>
        {
            var entries = await Db.StreamRangeAsync(
                _keys.RefusalStream, count: count, messageOrder: Order.Descending).ConfigureAwait(false);
            return (IReadOnlyList<RefusedCall>)[.. entries.Select(e => new RefusedCall(
                LedgerTime.FromUnixMs((long)e["t"]),
                e["address"].ToString(),
                e["method"].ToString(),
                e["path"].ToString(),
                (int)e["status"],
                e["reason"].ToString()))];
        });
    }

    public Task<LedgerCounters> CountersAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(nameof(CountersAsync), cancellationToken, async () =>
        {
            var batch = Db.CreateBatch();
            var totals = batch.HashGetAllAsync(_keys.Counters);
            var bySource = batch.HashGetAllAsync(_keys.SourceCounters);
            var awaiting = batch.SortedSetLengthAsync(_keys.Index(QuarantineStatus.Quarantined, null));
            batch.Execute();
            await Task.WhenAll(totals, bySource, awaiting).ConfigureAwait(false);

            var t = (await totals.ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal);
            return new LedgerCounters(
                t.GetValueOrDefault("quarantined"),
                t.GetValueOrDefault("released"),
                t.GetValueOrDefault("rejected"),
                await awaiting.ConfigureAwait(false),
                (await bySource.ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal));
        });

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(nameof(PingAsync), cancellationToken, () => Db.PingAsync());

    private Task<TransitionResult> TransitionAsync(
        string id,
        AuditAction action,
        string actor,
        string reason,
        string token,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentNullException.ThrowIfNull(reason);
        long now = LedgerTime.ToUnixMs(_time.GetUtcNow());
        return GuardAsync(RecordCodec.ActionName(action), cancellationToken, async () =>
        {
            var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LedgerScripts.Transition,
                [_keys.Record(id), _keys.Audit(id), _keys.AuditStream, _keys.Counters],
                [
                    _keys.Prefix, id, RecordCodec.ActionName(action), actor, reason, now, token,
                    (long)_options.ReleaseClaimTimeout.TotalMilliseconds, _options.AuditStreamMaxLength,
                ]).ConfigureAwait(false))!;

            var outcome = RecordCodec.ParseOutcome(reply[0].ToString());
            var record = RecordCodec.FromFlatReply(reply, 2);
            Log.Transition(_logger, action, id, actor, outcome);
            if (outcome is TransitionOutcome.Claimed or TransitionOutcome.ReclaimedExpired)
            {
                var expires = LedgerTime.FromUnixMs(long.Parse(reply[1].ToString(), CultureInfo.InvariantCulture));
                return new TransitionResult(outcome, record, token, expires);
            }

            return new TransitionResult(outcome, record);
        });
    }

    private Task<IReadOnlyList<QuarantineRecord>> ListIndexAsync(
        string operation, RedisKey index, int offset, int count, CancellationToken cancellationToken) =>
        GuardAsync(operation, cancellationToken, async () =>
        {
            if (count == 0)
            {
                return (IReadOnlyList<QuarantineRecord>)[];
            }

            var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LedgerScripts.List, [index], [_keys.Prefix, offset, offset + count - 1]).ConfigureAwait(false))!;
            var records = new List<QuarantineRecord>(reply.Length);
            foreach (var hash in reply)
            {
                // An id whose hash vanished (deleted by hand) is skipped rather than failing the whole page.
                if (RecordCodec.FromFlatReply((RedisResult[])hash!, 0) is { } record)
                {
                    records.Add(record);
                }
            }

            return (IReadOnlyList<QuarantineRecord>)records;
        });

    private Task<IReadOnlyList<CampaignSummary>> CampaignsAsync(string operation, CancellationToken cancellationToken, params RedisValue[] query) =>
        GuardAsync(operation, cancellationToken, async () =>
        {
            var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LedgerScripts.Campaigns, [], [_keys.Prefix, .. query]).ConfigureAwait(false))!;
            return (IReadOnlyList<CampaignSummary>)[.. reply.Select(r =>
            {
                var row = (RedisResult[])r!;
                return new CampaignSummary(
                    row[0].ToString(),
                    LedgerTime.FromUnixMs((long)double.Parse(row[1].ToString(), NumberStyles.Float, CultureInfo.InvariantCulture)),
                    (long)row[2],
                    (long)row[3],
                    (long)row[4],
                    (long)row[5]);
            })];
        });

    private static AuditEntry ParseAuditJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new AuditEntry(
            root.GetProperty("id").GetString()!,
            LedgerTime.FromUnixMs(long.Parse(root.GetProperty("t").GetString()!, CultureInfo.InvariantCulture)),
            root.GetProperty("actor").GetString()!,
            RecordCodec.ParseAction(root.GetProperty("action").GetString()!),
            RecordCodec.ParseOutcome(root.GetProperty("outcome").GetString()!),
            root.GetProperty("reason").GetString()!);
    }

    private static AuditEntry ParseAuditStreamEntry(StreamEntry entry) => new(
        entry["id"].ToString(),
        LedgerTime.FromUnixMs((long)entry["t"]),
        entry["actor"].ToString(),
        RecordCodec.ParseAction(entry["action"].ToString()),
        RecordCodec.ParseOutcome(entry["outcome"].ToString()),
        entry["reason"].ToString());

    private async Task<T> GuardAsync<T>(string operation, CancellationToken cancellationToken, Func<Task<T>> call)
    {
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Log.LedgerUnavailable(_logger, operation, ex);
            throw new LedgerUnavailableException($"Quarantine ledger unavailable during {operation}: {ex.Message}", ex);
        }
    }

    // Besides lost connections and timeouts, a server that is loading, read-only after a failover, or has no
    // master answers with these error prefixes: all pass with time, none is a bug in the call.
    private static bool IsOutage(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException s => s.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || s.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || s.Message.StartsWith("BUSY", StringComparison.Ordinal),
        _ => false,
    };
}
