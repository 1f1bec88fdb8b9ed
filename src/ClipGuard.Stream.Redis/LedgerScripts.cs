namespace ClipGuard.Stream.Redis;

/// <summary>
/// The Lua scripts that make each ledger write atomic. Index keys are built inside the scripts from the prefix
/// (ARGV[1]) because a status change learns the record's source and time only by reading it.
/// </summary>
internal static class LedgerScripts
{
    /// <summary>KEYS: one route key per sample; ARGV[1]: ttl in ms, then one route ("c" or "q") per key. Sets each key
    /// that is absent and returns, per key, the route it holds afterwards (first claim wins).</summary>
    public const string PinRoutes = """
        local out = {}
        for i, key in ipairs(KEYS) do
          if redis.call('SET', key, ARGV[i + 1], 'NX', 'PX', ARGV[1]) then
            out[i] = ARGV[i + 1]
          else
            out[i] = redis.call('GET', key) or ARGV[i + 1]
          end
        end
        return out
        """;

    /// <summary>
    /// KEYS: record, counters, source counters, campaign registry. ARGV: prefix, id, time ms, source ('' for none),
    /// campaign ('' for none), then field/value pairs. Returns 1 if new, 0 if the id existed (then nothing is
    /// touched). The registry keeps each campaign's newest member time (GT: an older member never lowers it).
    /// </summary>
    public const string Record = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 6))
        local idx = ARGV[1] .. 'idx:quarantined'
        redis.call('ZADD', idx, ARGV[3], ARGV[2])
        redis.call('HINCRBY', KEYS[2], 'quarantined', 1)
        if ARGV[4] ~= '' then
          redis.call('ZADD', idx .. ':src:' .. ARGV[4], ARGV[3], ARGV[2])
          redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
        end
        if ARGV[5] ~= '' then
          redis.call('ZADD', idx .. ':camp:' .. ARGV[5], ARGV[3], ARGV[2])
          redis.call('ZADD', KEYS[4], 'GT', ARGV[3], ARGV[5])
        end
        return 1
        """;

    /// <summary>
    /// KEYS: record, per-sample audit list, audit stream, counters. ARGV: prefix, id, action (reject | claim | confirm
    /// | abort), actor, reason, now ms, token (the new one for claim, the caller's for confirm/abort), claim timeout ms,
    /// audit stream cap. Returns { outcome, claim expiry ms or '', record hash fields... } (no fields if not found).
    /// </summary>
    public const string Transition = """
        local prefix, id, action, actor, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local now, token = tonumber(ARGV[6]), ARGV[7]
        local rec = KEYS[1]
        local status = redis.call('HGET', rec, 'status')
        local function move(to)
          local t = redis.call('HGET', rec, 'time')
          local src = redis.call('HGET', rec, 'source')
          local camp = redis.call('HGET', rec, 'campaign')
          local from = prefix .. 'idx:' .. status
          local dest = prefix .. 'idx:' .. to
          redis.call('ZREM', from, id)
          redis.call('ZADD', dest, t, id)
          if src then
            redis.call('ZREM', from .. ':src:' .. src, id)
            redis.call('ZADD', dest .. ':src:' .. src, t, id)
          end
          if camp then
            redis.call('ZREM', from .. ':camp:' .. camp, id)
            redis.call('ZADD', dest .. ':camp:' .. camp, t, id)
          end
          redis.call('HSET', rec, 'status', to)
        end
        local function claim()
          redis.call('HSET', rec, 'claim', token, 'claimExpires', tostring(now + tonumber(ARGV[8])))
        end
        local outcome
        if not status then
          outcome = 'not-found'
        elseif status == 'released' then
          if (action == 'confirm' or action == 'abort') and redis.call('HGET', rec, 'claim') ~= token then
            outcome = 'claim-lost'
          else
            outcome = 'already-released'
          end
        elseif status == 'rejected' then
          outcome = 'already-rejected'
        elseif status == 'quarantined' then
          if action == 'reject' then
            move('rejected')
            redis.call('HINCRBY', KEYS[4], 'rejected', 1)
            outcome = 'applied'
          elseif action == 'claim' then
            move('releasing')
            claim()
            outcome = 'claimed'
          else
            outcome = 'claim-lost'
          end
        else
          local expires = tonumber(redis.call('HGET', rec, 'claimExpires'))
          if action == 'claim' then
            if expires <= now then
              claim()
              outcome = 'reclaimed-expired'
            else
              outcome = 'release-in-progress'
            end
          elseif action == 'reject' then
            outcome = 'release-in-progress'
          elseif redis.call('HGET', rec, 'claim') ~= token then
            outcome = 'claim-lost'
          elseif action == 'confirm' then
            move('released')
            redis.call('HDEL', rec, 'claimExpires')
            redis.call('HINCRBY', KEYS[4], 'released', 1)
            outcome = 'applied'
          else
            move('quarantined')
            redis.call('HDEL', rec, 'claim', 'claimExpires')
            outcome = 'applied'
          end
        end
        redis.call('RPUSH', KEYS[2], cjson.encode({id = id, t = ARGV[6], actor = actor, action = action, outcome = outcome, reason = reason}))
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[9], '*', 'id', id, 't', ARGV[6], 'actor', actor, 'action', action, 'outcome', outcome, 'reason', reason)
        local out = { outcome, redis.call('HGET', rec, 'claimExpires') or '' }
        if status then
          local fields = redis.call('HGETALL', rec)
          for i = 1, #fields do out[#out + 1] = fields[i] end
        end
        return out
        """;

    /// <summary>KEYS: index. ARGV: prefix, start, stop. Returns the record hashes, newest first, read atomically.</summary>
    public const string List = """
        local ids = redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])
        local out = {}
        for i, id in ipairs(ids) do out[i] = redis.call('HGETALL', ARGV[1] .. 'q:' .. id) end
        return out
        """;

    /// <summary>
    /// ARGV: prefix, then either 'range', start, stop (campaigns newest member first) or 'one', campaign id. Returns
    /// per campaign { id, newest member time ms, quarantined, releasing, released, rejected }; none for an unknown id.
    /// </summary>
    public const string Campaigns = """
        local prefix = ARGV[1]
        local registry = prefix .. 'campaigns'
        local found
        if ARGV[2] == 'range' then
          found = redis.call('ZREVRANGE', registry, ARGV[3], ARGV[4], 'WITHSCORES')
        else
          local latest = redis.call('ZSCORE', registry, ARGV[3])
          found = latest and { ARGV[3], latest } or {}
        end
        local statuses = { 'quarantined', 'releasing', 'released', 'rejected' }
        local out = {}
        for i = 1, #found, 2 do
          local row = { found[i], found[i + 1] }
          for _, status in ipairs(statuses) do
            row[#row + 1] = redis.call('ZCARD', prefix .. 'idx:' .. status .. ':camp:' .. found[i])
          end
          out[#out + 1] = row
        end
        return out
        """;
}
