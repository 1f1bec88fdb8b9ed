using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>
/// The Redis key layout, all under <see cref="RedisOptions.KeyPrefix"/> ({P}). <see cref="LedgerScripts"/> builds the
/// index keys of a status change from the same fragments, so both must change together.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>{P}q:{id}</term><description>hash: the record (fields in <see cref="RecordCodec"/>), value and key as raw bytes</description></item>
/// <item><term>{P}idx:{status}</term><description>sorted set: ids by quarantine time (unix ms), one per status</description></item>
/// <item><term>{P}idx:{status}:src:{source}</term><description>sorted set: the same, per source</description></item>
/// <item><term>{P}idx:{status}:camp:{campaign}</term><description>sorted set: the same, per campaign</description></item>
/// <item><term>{P}campaigns</term><description>sorted set: campaign ids by the quarantine time of their newest member (unix ms)</description></item>
/// <item><term>{P}counters</term><description>hash: quarantined, released, rejected</description></item>
/// <item><term>{P}counters:source</term><description>hash: source → samples ever quarantined</description></item>
/// <item><term>{P}audit:{id}</term><description>list: JSON audit entries of one sample, oldest first</description></item>
/// <item><term>{P}route:{id}</term><description>string "c" or "q": the route a sample is pinned to, expiring (see IQuarantineLedger.PinRoutesAsync)</description></item>
/// <item><term>{P}audit</term><description>stream: every audit entry (fields id, t, actor, action, outcome, reason), capped approximately</description></item>
/// <item><term>{P}refusals</term><description>stream: refused operator API calls (fields t, address, method, path, status, reason), capped approximately</description></item>
/// </list>
/// </remarks>
internal sealed class LedgerKeys(string prefix)
{
    public const string RecordPart = "q:";
    public const string IndexPart = "idx:";
    public const string SourcePart = ":src:";
    public const string CampaignPart = ":camp:";

    public string Prefix { get; } = prefix;

    public RedisKey Counters => Prefix + "counters";

    public RedisKey SourceCounters => Prefix + "counters:source";

    public RedisKey AuditStream => Prefix + "audit";

    public RedisKey Campaigns => Prefix + "campaigns";

    public RedisKey RefusalStream => Prefix + "refusals";

    public RedisKey Record(string id) => Prefix + RecordPart + id;

    public RedisKey Audit(string id) => Prefix + "audit:" + id;

    public RedisKey Route(string id) => Prefix + "route:" + id;

    public RedisKey Index(QuarantineStatus status, string? source) =>
        source is null
            ? Prefix + IndexPart + RecordCodec.StatusName(status)
            : Prefix + IndexPart + RecordCodec.StatusName(status) + SourcePart + source;

    public RedisKey CampaignIndex(QuarantineStatus status, string campaign) =>
        Prefix + IndexPart + RecordCodec.StatusName(status) + CampaignPart + campaign;
}
