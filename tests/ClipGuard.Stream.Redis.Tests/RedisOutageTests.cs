using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis.Tests;

/// <summary>Stops and restarts its own redis-server, so it never shares one with other classes.</summary>
public sealed class RedisOutageTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_redis_raises_LedgerUnavailable_on_every_call_and_a_restart_recovers()
    {
        var options = RedisServerFixture.Options(redis.Server.Configuration, "outage:");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.CreateConfiguration(options));
        var ledger = new RedisQuarantineLedger(
            connection, Options.Create(options), TimeProvider.System, NullLogger<RedisQuarantineLedger>.Instance);
        await ledger.RecordAsync([Samples.Record("before")], Ct);
        var claim = await ledger.TryTransitionAsync("before", QuarantineStatus.Released, "op", "fp", Ct);

        await redis.Server.StopAsync();

        var calls = new Func<Task>[]
        {
            () => ledger.PingAsync(Ct),
            () => ledger.RecordAsync([Samples.Record("during")], Ct),
            () => ledger.GetAsync("before", Ct),
            () => ledger.ListAsync(QuarantineStatus.Quarantined, 0, 10, cancellationToken: Ct),
            () => ledger.ConfirmReleaseAsync("before", claim.ClaimToken!, "op", Ct),
            () => ledger.GetAuditAsync("before", Ct),
            () => ledger.RecentAuditAsync(10, Ct),
            () => ledger.RecordRefusalAsync(new RefusedCall(DateTimeOffset.UnixEpoch, "10.0.0.1", "GET", "/api/counters", 401, "wrong_token"), Ct),
            () => ledger.RecentRefusalsAsync(10, Ct),
            () => ledger.CountersAsync(Ct),
        };
        foreach (var call in calls)
        {
            var stopwatch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<LedgerUnavailableException>(call);
            Assert.True(ex.InnerException is RedisConnectionException or RedisTimeoutException, ex.InnerException?.GetType().Name);
            // Bounded by the operation timeout (1 s) plus slack: a consumer learns of the outage promptly.
            Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }

        await redis.Server.RestartAsync(Ct);

        await WaitUntilAvailableAsync(ledger);
        // The restarted server is empty (no persistence) and has no cached scripts: both must be handled.
        Assert.Equal(1, await ledger.RecordAsync([Samples.Record("after")], Ct));
        var release = await ledger.TryTransitionAsync("after", QuarantineStatus.Released, "op", "fp", Ct);
        Assert.Equal(TransitionOutcome.Claimed, release.Outcome);
        Assert.Equal(TransitionOutcome.Applied, (await ledger.ConfirmReleaseAsync("after", release.ClaimToken!, "op", Ct)).Outcome);
    }

    private static async Task WaitUntilAvailableAsync(RedisQuarantineLedger ledger)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await ledger.PingAsync(Ct);
                return;
            }
            catch (LedgerUnavailableException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100, Ct);
            }
        }
    }
}
