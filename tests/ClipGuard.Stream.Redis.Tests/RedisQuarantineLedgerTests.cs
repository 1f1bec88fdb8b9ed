using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis.Tests;

/// <summary>The ledger contract against a real redis-server; each test owns a key prefix on the class's server.</summary>
public sealed class RedisQuarantineLedgerTests(RedisServerFixture redis) : LedgerBehaviourTests, IClassFixture<RedisServerFixture>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}:";

    private IDatabase Db => redis.Connections[0].GetDatabase();

    protected override IQuarantineLedger CreateLedger(TimeProvider time, TimeSpan claimTimeout) =>
        Create(redis.Connections[0], time, claimTimeout);

    protected override IReadOnlyList<IQuarantineLedger> CreateCompetingLedgers(TimeProvider time, TimeSpan claimTimeout) =>
        [.. redis.Connections.Select(c => Create(c, time, claimTimeout))];

    [Fact]
    public async Task A_route_pin_is_one_expiring_key_per_sample()
    {
        await Ledger.PinRoutesAsync([("pin-x", PinnedRoute.Quarantine), ("pin-y", PinnedRoute.Clean)], TimeSpan.FromMilliseconds(400), Ct);
        Assert.Equal("q", (string?)await Db.StringGetAsync(_prefix + "route:pin-x"));
        Assert.Equal("c", (string?)await Db.StringGetAsync(_prefix + "route:pin-y"));
        Assert.InRange((await Db.KeyTimeToLiveAsync(_prefix + "route:pin-x"))!.Value.TotalMilliseconds, 1, 400);
        await Task.Delay(800, Ct);
        Assert.Equal(PinnedRoute.Clean, Assert.Single(await Ledger.PinRoutesAsync([("pin-x", PinnedRoute.Clean)], TimeSpan.FromMinutes(1), Ct)));
    }

    [Fact]
    public async Task Refused_calls_are_a_capped_stream_newest_first_with_long_paths_cut()
    {
        var refusals = (IRefusalLog)Ledger;
        string longPath = "/api/" + new string('x', 1_000);
        await refusals.RecordRefusalAsync(new RefusedCall(Samples.Epoch, "10.0.0.1", "GET", "/api/counters", 401, "wrong_token"), Ct);
        await refusals.RecordRefusalAsync(new RefusedCall(Samples.Epoch.AddSeconds(1), "10.0.0.2", "POST", longPath, 429, "rate_limited"), Ct);

        var recent = await refusals.RecentRefusalsAsync(10, Ct);
        Assert.Equal(2, recent.Count);
        Assert.Equal(new RefusedCall(Samples.Epoch.AddSeconds(1), "10.0.0.2", "POST", longPath[..RefusedCall.MaxPathLength], 429, "rate_limited"), recent[0]);
        Assert.Equal(new RefusedCall(Samples.Epoch, "10.0.0.1", "GET", "/api/counters", 401, "wrong_token"), recent[1]);
        Assert.Single(await refusals.RecentRefusalsAsync(1, Ct));
        Assert.Equal(2, await Db.StreamLengthAsync(_prefix + "refusals"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => refusals.RecentRefusalsAsync(0, Ct));
    }

    [Fact]
    public async Task Stored_layout_is_the_documented_one_with_raw_value_bytes()
    {
        var record = Samples.Record("lay:out", Samples.Epoch, "crawler-a");
        await Ledger.RecordAsync([record], Ct);
        long ms = Samples.Epoch.ToUnixTimeMilliseconds();

        Assert.Equal(Samples.AllBytes(), (byte[]?)await Db.HashGetAsync(_prefix + "q:lay:out", "value"));
        Assert.Equal("lay:out"u8.ToArray(), (byte[]?)await Db.HashGetAsync(_prefix + "q:lay:out", "key"));
        Assert.Equal("quarantined", (string?)await Db.HashGetAsync(_prefix + "q:lay:out", "status"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "idx:quarantined", "lay:out"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "idx:quarantined:src:crawler-a", "lay:out"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "idx:quarantined:camp:campaign-2", "lay:out"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "campaigns", "campaign-2"));
        Assert.Equal(1, (long)await Db.HashGetAsync(_prefix + "counters", "quarantined"));
        Assert.Equal(1, (long)await Db.HashGetAsync(_prefix + "counters:source", "crawler-a"));

        await Ledger.TryTransitionAsync("lay:out", QuarantineStatus.Rejected, "op", "spam", Ct);

        Assert.Null(await Db.SortedSetScoreAsync(_prefix + "idx:quarantined", "lay:out"));
        Assert.Null(await Db.SortedSetScoreAsync(_prefix + "idx:quarantined:src:crawler-a", "lay:out"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "idx:rejected:src:crawler-a", "lay:out"));
        Assert.Null(await Db.SortedSetScoreAsync(_prefix + "idx:quarantined:camp:campaign-2", "lay:out"));
        Assert.Equal(ms, await Db.SortedSetScoreAsync(_prefix + "idx:rejected:camp:campaign-2", "lay:out"));
        Assert.Equal(1, (long)await Db.HashGetAsync(_prefix + "counters", "rejected"));
        Assert.Equal(1, await Db.ListLengthAsync(_prefix + "audit:lay:out"));
        var stream = await Db.StreamRangeAsync(_prefix + "audit");
        var entry = Assert.Single(stream);
        Assert.Equal(("lay:out", "reject", "applied", "op"), ((string?)entry["id"], (string?)entry["action"], (string?)entry["outcome"], (string?)entry["actor"]));
    }

    [Fact]
    public async Task A_big_batch_is_recorded_in_one_pipelined_write_and_counted_once()
    {
        var records = Enumerable.Range(0, 2_000).Select(i => Samples.Record($"b{i}", Samples.Epoch.AddMilliseconds(i))).ToList();

        Assert.Equal(2_000, await Ledger.RecordAsync(records, Ct));
        Assert.Equal(0, await Ledger.RecordAsync(records, Ct));

        Assert.Equal(2_000, (await Ledger.CountersAsync(Ct)).Quarantined);
        Assert.Equal("b1999", (await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 1, cancellationToken: Ct))[0].Id);
    }

    [Fact]
    public async Task Ping_measures_a_round_trip()
    {
        var rtt = await Ledger.PingAsync(Ct);

        Assert.InRange(rtt, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private RedisQuarantineLedger Create(IConnectionMultiplexer connection, TimeProvider time, TimeSpan claimTimeout)
    {
        var options = RedisServerFixture.Options(redis.Server.Configuration, _prefix);
        options.ReleaseClaimTimeout = claimTimeout;
        return new RedisQuarantineLedger(connection, Options.Create(options), time, NullLogger<RedisQuarantineLedger>.Instance);
    }
}
