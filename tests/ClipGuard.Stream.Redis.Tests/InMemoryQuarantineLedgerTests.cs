namespace ClipGuard.Stream.Redis.Tests;

public sealed class InMemoryQuarantineLedgerTests : LedgerBehaviourTests
{
    protected override IQuarantineLedger CreateLedger(TimeProvider time, TimeSpan claimTimeout) =>
        new InMemoryQuarantineLedger(time, claimTimeout);

    [Fact]
    public async Task A_route_pin_expires_after_its_ttl()
    {
        await Ledger.PinRoutesAsync([("e", PinnedRoute.Quarantine)], TimeSpan.FromMinutes(1), Ct);
        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(PinnedRoute.Quarantine, Assert.Single(await Ledger.PinRoutesAsync([("e", PinnedRoute.Clean)], TimeSpan.FromMinutes(1), Ct)));
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PinnedRoute.Clean, Assert.Single(await Ledger.PinRoutesAsync([("e", PinnedRoute.Clean)], TimeSpan.FromMinutes(1), Ct)));
    }

    [Fact]
    public async Task The_global_audit_is_capped_but_per_sample_audit_is_not()
    {
        var ledger = new InMemoryQuarantineLedger(Time, ClaimTimeout, auditCapacity: 10);
        await ledger.RecordAsync([Samples.Record("cap")], Ct);

        for (int i = 0; i < 30; i++)
        {
            await ledger.TryTransitionAsync("cap", QuarantineStatus.Released, $"op-{i}", "fp", Ct);
        }

        var recent = await ledger.RecentAuditAsync(100, Ct);
        Assert.InRange(recent.Count, 10, 11);
        Assert.Equal("op-29", recent[0].Actor);
        Assert.Equal(30, (await ledger.GetAuditAsync("cap", Ct)).Count);
    }
}
