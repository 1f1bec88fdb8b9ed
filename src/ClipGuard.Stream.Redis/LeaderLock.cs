using System.Globalization;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>
/// One holder at a time for periodic cluster-wide work (the full re-score): SET NX PX with an expiry, so a holder that
/// dies frees the lock, and an INCR fencing token with every grant. A holder whose lease expired mid-work can no
/// longer renew, release or fence anything; <see cref="TryFenceAsync"/> lets the work's result be accepted only from
/// the newest grant.
/// </summary>
public sealed class LeaderLock(IConnectionMultiplexer redis, string keyPrefix)
{
    // KEYS[1] lock, KEYS[2] fence counter; ARGV[1] holder, ARGV[2] ttl ms. Value = "fence|holder".
    private const string AcquireScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
        local fence = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], fence .. '|' .. ARGV[1], 'PX', ARGV[2])
        return fence
        """;

    // KEYS[1] lock; ARGV[1] expected value, ARGV[2] ttl ms (renew) or '' (release).
    private const string RenewOrReleaseScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 1
        """;

    // KEYS[1] lock, KEYS[2] resource's last fence; ARGV[1] expected lock value, ARGV[2] fence.
    private const string FenceScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        local last = tonumber(redis.call('GET', KEYS[2]) or '0')
        if tonumber(ARGV[2]) <= last then return 0 end
        redis.call('SET', KEYS[2], ARGV[2])
        return 1
        """;

    private readonly IDatabase _db = redis.GetDatabase();

    /// <summary>The lease, or null when another holder has it.</summary>
    /// <exception cref="LedgerUnavailableException">Redis is unreachable.</exception>
    public async Task<LeaderLease?> TryAcquireAsync(string name, string holder, TimeSpan ttl)
    {
        RedisResult r = await Run(AcquireScript, [LockKey(name), FenceKey(name)], [holder, Ms(ttl)]).ConfigureAwait(false);
        return r.IsNull ? null : new LeaderLease(name, holder, (long)r, DateTimeOffset.UtcNow + ttl);
    }

    /// <summary>Extends a lease still held; false when it expired and may belong to someone else now.</summary>
    public async Task<bool> RenewAsync(LeaderLease lease, TimeSpan ttl) =>
        (int)await Run(RenewOrReleaseScript, [LockKey(lease.Name)], [Value(lease), Ms(ttl)]).ConfigureAwait(false) == 1;

    /// <summary>Gives a lease back early; false when it had already expired.</summary>
    public async Task<bool> ReleaseAsync(LeaderLease lease) =>
        (int)await Run(RenewOrReleaseScript, [LockKey(lease.Name)], [Value(lease), string.Empty]).ConfigureAwait(false) == 1;

    /// <summary>
    /// Records that <paramref name="resource"/> was last written under this lease; false when the lease is no longer
    /// held or a newer grant already wrote it.
    /// </summary>
    public async Task<bool> TryFenceAsync(LeaderLease lease, string resource) =>
        (int)await Run(FenceScript, [LockKey(lease.Name), (RedisKey)(keyPrefix + "fence:" + resource)], [Value(lease), lease.FencingToken]).ConfigureAwait(false) == 1;

    private static string Value(LeaderLease lease) => lease.FencingToken.ToString(CultureInfo.InvariantCulture) + "|" + lease.Holder;

    private static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private RedisKey LockKey(string name) => keyPrefix + "lock:" + name;

    private RedisKey FenceKey(string name) => keyPrefix + "lock:" + name + ":fence";

    private async Task<RedisResult> Run(string script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await _db.ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw new LedgerUnavailableException("Redis is unreachable: " + e.Message, e);
        }
    }
}
