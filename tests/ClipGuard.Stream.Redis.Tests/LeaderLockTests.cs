namespace ClipGuard.Stream.Redis.Tests;

/// <summary>The re-score's leader lock on a real redis-server: one holder at a time, fencing across expiry.</summary>
public sealed class LeaderLockTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task ReplicasRacingForTheLockNeverBothGetIt()
    {
        string prefix = $"t{Guid.NewGuid():N}:";
        var locks = redis.Connections.Select(c => new LeaderLock(c, prefix)).ToList();
        for (int round = 0; round < 20; round++)
        {
            LeaderLease?[] leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
                locks[i % locks.Count].TryAcquireAsync("rescore", $"replica-{i}", TimeSpan.FromSeconds(30))));
            LeaderLease winner = Assert.Single(leases, l => l is not null)!;
            Assert.Equal(round + 1, winner.FencingToken);
            Assert.True(await locks[0].ReleaseAsync(winner));
        }
    }

    [Fact]
    public async Task AnExpiredLeaseCannotRenewReleaseOrFenceOnceSomeoneElseHoldsTheLock()
    {
        var leaderLock = new LeaderLock(redis.Connections[0], $"t{Guid.NewGuid():N}:");
        LeaderLease first = (await leaderLock.TryAcquireAsync("rescore", "a", TimeSpan.FromMilliseconds(200)))!;
        Assert.Null(await leaderLock.TryAcquireAsync("rescore", "b", TimeSpan.FromSeconds(30)));
        Assert.True(await leaderLock.TryFenceAsync(first, "reference"));
        await Task.Delay(400, TestContext.Current.CancellationToken);

        LeaderLease second = (await leaderLock.TryAcquireAsync("rescore", "b", TimeSpan.FromSeconds(30)))!;
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.False(await leaderLock.RenewAsync(first, TimeSpan.FromSeconds(30)));
        Assert.False(await leaderLock.ReleaseAsync(first));
        Assert.False(await leaderLock.TryFenceAsync(first, "reference"));
        Assert.True(await leaderLock.TryFenceAsync(second, "reference"));
        Assert.False(await leaderLock.TryFenceAsync(second, "reference"), "a fence is taken once per grant");
        Assert.True(await leaderLock.RenewAsync(second, TimeSpan.FromSeconds(30)));
        Assert.True(await leaderLock.ReleaseAsync(second));
    }
}
