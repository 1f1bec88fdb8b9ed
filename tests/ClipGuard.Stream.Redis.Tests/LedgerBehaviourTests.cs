using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Redis.Tests;

/// <summary>The ledger contract; every implementation runs all of it.</summary>
public abstract class LedgerBehaviourTests
{
    protected static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(2);

    private IQuarantineLedger? _ledger;

    protected FakeTimeProvider Time { get; } = new(Samples.Epoch.AddHours(1));

    protected IQuarantineLedger Ledger => _ledger ??= CreateLedger(Time, ClaimTimeout);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract IQuarantineLedger CreateLedger(TimeProvider time, TimeSpan claimTimeout);

    /// <summary>Ledgers over the same store that race each other; Redis gives each its own connection.</summary>
    protected virtual IReadOnlyList<IQuarantineLedger> CreateCompetingLedgers(TimeProvider time, TimeSpan claimTimeout) =>
        [Ledger];

    [Fact]
    public async Task Record_then_get_round_trips_every_field_and_the_original_bytes()
    {
        var record = Samples.Record("s-1", Samples.Epoch.AddTicks(12_345_678));

        Assert.Equal(1, await Ledger.RecordAsync([record], Ct));

        Samples.AssertSame(record, await Ledger.GetAsync("s-1", Ct), QuarantineStatus.Quarantined);
    }

    [Fact]
    public async Task Optional_fields_absent_or_empty_round_trip_as_given()
    {
        var bare = Samples.Record("bare", source: null) with
        {
            Key = null, Caption = null, Headers = [], NeighbourIds = [], NeighbourDistances = [], Value = [],
            PValue = null, CalibrationVersion = null, Campaign = null,
        };
        var empty = Samples.Record("empty-key") with { Key = [], Caption = string.Empty };

        Assert.Equal(2, await Ledger.RecordAsync([bare, empty], Ct));

        Samples.AssertSame(bare, await Ledger.GetAsync("bare", Ct), QuarantineStatus.Quarantined);
        Samples.AssertSame(empty, await Ledger.GetAsync("empty-key", Ct), QuarantineStatus.Quarantined);
    }

    [Fact]
    public async Task The_ledger_keeps_its_own_copy_of_the_bytes()
    {
        var record = Samples.Record("copy");
        await Ledger.RecordAsync([record], Ct);

        record.Value[0] = 0xEE;
        (await Ledger.GetAsync("copy", Ct))!.Value[1] = 0xEE;

        Assert.Equal(Samples.AllBytes(), (await Ledger.GetAsync("copy", Ct))!.Value);
    }

    [Fact]
    public async Task A_route_pin_keeps_the_first_route_of_each_id()
    {
        TimeSpan ttl = TimeSpan.FromMinutes(5);
        Assert.Equal([PinnedRoute.Quarantine, PinnedRoute.Clean], await Ledger.PinRoutesAsync([("p1", PinnedRoute.Quarantine), ("p2", PinnedRoute.Clean)], ttl, Ct));
        Assert.Equal(
            [PinnedRoute.Clean, PinnedRoute.Quarantine, PinnedRoute.Quarantine],
            await Ledger.PinRoutesAsync([("p2", PinnedRoute.Quarantine), ("p1", PinnedRoute.Clean), ("p3", PinnedRoute.Quarantine)], ttl, Ct));
        Assert.Empty(await Ledger.PinRoutesAsync([], ttl, Ct));
    }

    [Fact]
    public async Task Competing_pins_of_one_id_all_get_the_same_route()
    {
        IReadOnlyList<IQuarantineLedger> ledgers = CreateCompetingLedgers(Time, ClaimTimeout);
        IReadOnlyList<PinnedRoute>[] results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            ledgers[i % ledgers.Count].PinRoutesAsync([("race", i % 2 == 0 ? PinnedRoute.Clean : PinnedRoute.Quarantine)], TimeSpan.FromMinutes(5), Ct)));
        Assert.Single(results.Select(r => Assert.Single(r)).Distinct());
    }

    [Fact]
    public async Task Get_of_an_unknown_id_is_null()
    {
        Assert.Null(await Ledger.GetAsync("never", Ct));
    }

    [Fact]
    public async Task Re_recording_an_id_changes_neither_the_record_nor_its_status_nor_the_counters()
    {
        var first = Samples.Record("dup");
        await Ledger.RecordAsync([first, Samples.Record("other", source: "crawler-b")], Ct);
        Assert.Equal(TransitionOutcome.Applied, (await Ledger.TryTransitionAsync("dup", QuarantineStatus.Rejected, "op", "spam", Ct)).Outcome);
        var before = await Ledger.CountersAsync(Ct);

        int added = await Ledger.RecordAsync(
            [first with { Score = 99 }, Samples.Record("dup", source: "crawler-b"), Samples.Record("other")], Ct);

        Assert.Equal(0, added);
        var stored = await Ledger.GetAsync("dup", Ct);
        Samples.AssertSame(first, stored, QuarantineStatus.Rejected);
        var after = await Ledger.CountersAsync(Ct);
        Assert.Equal(before.Quarantined, after.Quarantined);
        Assert.Equal(before.Rejected, after.Rejected);
        Assert.Equal(before.QuarantinedBySource, after.QuarantinedBySource);
        Assert.Equal(["dup"], (await Ledger.ListAsync(QuarantineStatus.Rejected, 0, 10, "crawler-a", Ct)).Select(r => r.Id));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Rejected, 0, 10, "crawler-b", Ct));
        Assert.Equal(["other"], (await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 10, "crawler-b", Ct)).Select(r => r.Id));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 10, "crawler-a", Ct));
    }

    [Fact]
    public async Task A_batch_that_repeats_an_id_records_it_once()
    {
        Assert.Equal(2, await Ledger.RecordAsync([Samples.Record("a"), Samples.Record("a", score: 7), Samples.Record("b")], Ct));

        Assert.Equal(3.25, (await Ledger.GetAsync("a", Ct))!.Score);
        Assert.Equal(2, (await Ledger.CountersAsync(Ct)).Quarantined);
    }

    [Fact]
    public async Task Records_in_other_states_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Ledger.RecordAsync([Samples.Record("x") with { Status = QuarantineStatus.Released }], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Ledger.RecordAsync([Samples.Record("y") with { NeighbourDistances = [1.0] }], Ct));

        Assert.Equal(0, (await Ledger.CountersAsync(Ct)).Quarantined);
    }

    [Fact]
    public async Task List_returns_one_status_newest_first_pages_and_filters_by_source()
    {
        var t = Samples.Epoch;
        await Ledger.RecordAsync(
        [
            Samples.Record("old-a", t, "crawler-a"),
            Samples.Record("new-b", t.AddMinutes(3), "crawler-b"),
            Samples.Record("mid-a", t.AddMinutes(2), "crawler-a"),
            Samples.Record("tie-1", t.AddMinutes(1), "crawler-a"),
            Samples.Record("tie-2", t.AddMinutes(1), null),
            Samples.Record("gone-a", t.AddMinutes(4), "crawler-a"),
        ], Ct);
        await Ledger.TryTransitionAsync("gone-a", QuarantineStatus.Rejected, "op", "spam", Ct);

        var all = await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 100, cancellationToken: Ct);
        Assert.Equal(["new-b", "mid-a", "tie-2", "tie-1", "old-a"], all.Select(r => r.Id));
        Assert.All(all, r => Assert.Equal(QuarantineStatus.Quarantined, r.Status));

        var page = await Ledger.ListAsync(QuarantineStatus.Quarantined, 1, 2, cancellationToken: Ct);
        Assert.Equal(["mid-a", "tie-2"], page.Select(r => r.Id));

        var fromA = await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 100, "crawler-a", Ct);
        Assert.Equal(["mid-a", "tie-1", "old-a"], fromA.Select(r => r.Id));

        var rejected = await Ledger.ListAsync(QuarantineStatus.Rejected, 0, 100, "crawler-a", Ct);
        Assert.Equal(["gone-a"], rejected.Select(r => r.Id));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Rejected, 0, 100, "crawler-b", Ct));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Quarantined, 5, 10, cancellationToken: Ct));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Quarantined, 0, 0, cancellationToken: Ct));
    }

    [Fact]
    public async Task Campaign_members_are_indexed_per_status_and_campaigns_counted_newest_member_first()
    {
        var t = Samples.Epoch;
        await Ledger.RecordAsync(
        [
            Samples.Record("a1", t) with { Campaign = "camp-a" },
            Samples.Record("a2", t.AddMinutes(2)) with { Campaign = "camp-a" },
            Samples.Record("a3", t.AddMinutes(1), "crawler-b") with { Campaign = "camp-a" },
            Samples.Record("b1", t.AddMinutes(3)) with { Campaign = "camp-b" },
            Samples.Record("c1", t.AddMinutes(1)) with { Campaign = "camp-c" },
            Samples.Record("d1", t.AddMinutes(1)) with { Campaign = "camp-d" },
            Samples.Record("none", t.AddMinutes(9)) with { Campaign = null },
        ], Ct);
        await Ledger.TryTransitionAsync("a2", QuarantineStatus.Rejected, "op", "spam", Ct);
        var claim = await Ledger.TryTransitionAsync("a3", QuarantineStatus.Released, "op", "fp", Ct);

        Assert.Equal(["a1"], await CampaignIdsAsync("camp-a", QuarantineStatus.Quarantined));
        Assert.Equal(["a3"], await CampaignIdsAsync("camp-a", QuarantineStatus.Releasing));
        Assert.Equal(["a2"], await CampaignIdsAsync("camp-a", QuarantineStatus.Rejected));
        Assert.Equal(new CampaignSummary("camp-a", t.AddMinutes(2), 1, 1, 0, 1), await Ledger.GetCampaignAsync("camp-a", Ct));

        await Ledger.ConfirmReleaseAsync("a3", claim.ClaimToken!, "op", Ct);
        Assert.Equal(["a3"], await CampaignIdsAsync("camp-a", QuarantineStatus.Released));
        Assert.Empty(await CampaignIdsAsync("camp-a", QuarantineStatus.Releasing));

        // Newest member first, whatever its status (a2 was rejected); equal times by id, descending.
        var campaigns = await Ledger.ListCampaignsAsync(0, 10, Ct);
        Assert.Equal(
            [
                new CampaignSummary("camp-b", t.AddMinutes(3), 1, 0, 0, 0),
                new CampaignSummary("camp-a", t.AddMinutes(2), 1, 0, 1, 1),
                new CampaignSummary("camp-d", t.AddMinutes(1), 1, 0, 0, 0),
                new CampaignSummary("camp-c", t.AddMinutes(1), 1, 0, 0, 0),
            ],
            campaigns);
        Assert.Equal(3, campaigns[1].Total);
        Assert.Equal(["camp-a", "camp-d"], (await Ledger.ListCampaignsAsync(1, 2, Ct)).Select(c => c.Id));
        Assert.Empty(await Ledger.ListCampaignsAsync(4, 10, Ct));
        Assert.Empty(await Ledger.ListCampaignsAsync(0, 0, Ct));
        Assert.Null(await Ledger.GetCampaignAsync("camp-z", Ct));
        Assert.Empty(await CampaignIdsAsync("camp-z", QuarantineStatus.Quarantined));
    }

    [Fact]
    public async Task A_campaign_index_pages_newest_first_and_an_empty_campaign_is_refused()
    {
        var t = Samples.Epoch;
        await Ledger.RecordAsync([.. Enumerable.Range(0, 5).Select(i => Samples.Record($"m{i}", t.AddSeconds(i)) with { Campaign = "camp" })], Ct);

        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], await CampaignIdsAsync("camp", QuarantineStatus.Quarantined));
        Assert.Equal(["m3", "m2"], (await Ledger.ListCampaignAsync("camp", QuarantineStatus.Quarantined, 1, 2, Ct)).Select(r => r.Id));
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.RecordAsync([Samples.Record("e") with { Campaign = string.Empty }], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.ListCampaignAsync(string.Empty, QuarantineStatus.Quarantined, 0, 1, Ct));
        Assert.Null(await Ledger.GetAsync("e", Ct));
    }

    [Fact]
    public async Task Reject_is_final_counted_and_audited()
    {
        await Ledger.RecordAsync([Samples.Record("r")], Ct);

        var first = await Ledger.TryTransitionAsync("r", QuarantineStatus.Rejected, "alice", "confirmed poison", Ct);
        var again = await Ledger.TryTransitionAsync("r", QuarantineStatus.Rejected, "bob", "me too", Ct);
        var release = await Ledger.TryTransitionAsync("r", QuarantineStatus.Released, "carol", "oops", Ct);

        Assert.Equal(TransitionOutcome.Applied, first.Outcome);
        Assert.Equal(QuarantineStatus.Rejected, first.Record!.Status);
        Assert.Null(first.ClaimToken);
        Assert.Equal(TransitionOutcome.AlreadyRejected, again.Outcome);
        Assert.Equal(TransitionOutcome.AlreadyRejected, release.Outcome);
        Assert.False(release.MustRepublish);
        var counters = await Ledger.CountersAsync(Ct);
        Assert.Equal((1L, 0L, 1L, 0L), (counters.Quarantined, counters.Released, counters.Rejected, counters.AwaitingDecision));
        var audit = await Ledger.GetAuditAsync("r", Ct);
        Assert.Equal(
            [("alice", AuditAction.Reject, TransitionOutcome.Applied, "confirmed poison"),
             ("bob", AuditAction.Reject, TransitionOutcome.AlreadyRejected, "me too"),
             ("carol", AuditAction.ReleaseClaim, TransitionOutcome.AlreadyRejected, "oops")],
            audit.Select(a => (a.Actor, a.Action, a.Outcome, a.Reason)));
        Assert.All(audit, a => Assert.Equal("r", a.SampleId));
        Assert.All(audit, a => Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), a.Time.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task Release_claims_then_confirms_and_every_later_call_sees_it_released()
    {
        var record = Samples.Record("rel");
        await Ledger.RecordAsync([record], Ct);

        var claim = await Ledger.TryTransitionAsync("rel", QuarantineStatus.Released, "alice", "false positive", Ct);
        Assert.Equal(TransitionOutcome.Claimed, claim.Outcome);
        Assert.True(claim.MustRepublish);
        Assert.False(string.IsNullOrEmpty(claim.ClaimToken));
        Assert.Equal(Time.GetUtcNow() + ClaimTimeout, claim.ClaimExpiresAt);
        Samples.AssertSame(record, claim.Record, QuarantineStatus.Releasing);
        Assert.Equal(["rel"], (await Ledger.ListAsync(QuarantineStatus.Releasing, 0, 10, "crawler-a", Ct)).Select(r => r.Id));
        Assert.Equal(0, (await Ledger.CountersAsync(Ct)).AwaitingDecision);

        var confirm = await Ledger.ConfirmReleaseAsync("rel", claim.ClaimToken!, "alice", Ct);
        var retry = await Ledger.ConfirmReleaseAsync("rel", claim.ClaimToken!, "alice", Ct);
        var stranger = await Ledger.ConfirmReleaseAsync("rel", "not-the-token", "mallory", Ct);
        var late = await Ledger.TryTransitionAsync("rel", QuarantineStatus.Released, "bob", "also", Ct);
        var reject = await Ledger.TryTransitionAsync("rel", QuarantineStatus.Rejected, "carol", "no", Ct);

        Assert.Equal(TransitionOutcome.Applied, confirm.Outcome);
        Assert.Equal(QuarantineStatus.Released, confirm.Record!.Status);
        Assert.Equal(TransitionOutcome.AlreadyReleased, retry.Outcome);
        Assert.Equal(TransitionOutcome.ClaimLost, stranger.Outcome);
        Assert.Equal(TransitionOutcome.AlreadyReleased, late.Outcome);
        Assert.Equal(TransitionOutcome.AlreadyReleased, reject.Outcome);
        Assert.Equal(["rel"], (await Ledger.ListAsync(QuarantineStatus.Released, 0, 10, cancellationToken: Ct)).Select(r => r.Id));
        Assert.Empty(await Ledger.ListAsync(QuarantineStatus.Releasing, 0, 10, cancellationToken: Ct));
        var counters = await Ledger.CountersAsync(Ct);
        Assert.Equal((1L, 0L), (counters.Released, counters.Rejected));
        Assert.Equal(
            [(AuditAction.ReleaseClaim, TransitionOutcome.Claimed), (AuditAction.ReleaseConfirm, TransitionOutcome.Applied),
             (AuditAction.ReleaseConfirm, TransitionOutcome.AlreadyReleased), (AuditAction.ReleaseConfirm, TransitionOutcome.ClaimLost),
             (AuditAction.ReleaseClaim, TransitionOutcome.AlreadyReleased), (AuditAction.Reject, TransitionOutcome.AlreadyReleased)],
            (await Ledger.GetAuditAsync("rel", Ct)).Select(a => (a.Action, a.Outcome)));
    }

    [Fact]
    public async Task Abort_returns_the_sample_to_quarantine_and_voids_the_token()
    {
        await Ledger.RecordAsync([Samples.Record("ab")], Ct);
        var claim = await Ledger.TryTransitionAsync("ab", QuarantineStatus.Released, "alice", "fp", Ct);

        var wrong = await Ledger.AbortReleaseAsync("ab", "other-token", "mallory", "nope", Ct);
        var abort = await Ledger.AbortReleaseAsync("ab", claim.ClaimToken!, "alice", "broker down", Ct);
        var staleConfirm = await Ledger.ConfirmReleaseAsync("ab", claim.ClaimToken!, "alice", Ct);
        var next = await Ledger.TryTransitionAsync("ab", QuarantineStatus.Released, "bob", "retry", Ct);

        Assert.Equal(TransitionOutcome.ClaimLost, wrong.Outcome);
        Assert.Equal(QuarantineStatus.Releasing, wrong.Record!.Status);
        Assert.Equal(TransitionOutcome.Applied, abort.Outcome);
        Assert.Equal(QuarantineStatus.Quarantined, abort.Record!.Status);
        Assert.Equal(TransitionOutcome.ClaimLost, staleConfirm.Outcome);
        Assert.Equal(TransitionOutcome.Claimed, next.Outcome);
        Assert.NotEqual(claim.ClaimToken, next.ClaimToken);
        Assert.Equal(0, (await Ledger.CountersAsync(Ct)).Released);
    }

    [Fact]
    public async Task A_live_claim_blocks_other_releases_and_rejects_until_it_expires()
    {
        await Ledger.RecordAsync([Samples.Record("exp")], Ct);
        var first = await Ledger.TryTransitionAsync("exp", QuarantineStatus.Released, "alice", "fp", Ct);

        Time.Advance(ClaimTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(TransitionOutcome.ReleaseInProgress, (await Ledger.TryTransitionAsync("exp", QuarantineStatus.Released, "bob", "fp", Ct)).Outcome);
        Assert.Equal(TransitionOutcome.ReleaseInProgress, (await Ledger.TryTransitionAsync("exp", QuarantineStatus.Rejected, "carol", "x", Ct)).Outcome);

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TransitionOutcome.ReleaseInProgress, (await Ledger.TryTransitionAsync("exp", QuarantineStatus.Rejected, "carol", "x", Ct)).Outcome);
        var second = await Ledger.TryTransitionAsync("exp", QuarantineStatus.Released, "bob", "fp", Ct);
        Assert.Equal(TransitionOutcome.ReclaimedExpired, second.Outcome);
        Assert.True(second.MustRepublish);
        Assert.NotEqual(first.ClaimToken, second.ClaimToken);
        Assert.Equal(Time.GetUtcNow() + ClaimTimeout, second.ClaimExpiresAt);

        Assert.Equal(TransitionOutcome.ClaimLost, (await Ledger.ConfirmReleaseAsync("exp", first.ClaimToken!, "alice", Ct)).Outcome);
        Assert.Equal(TransitionOutcome.Applied, (await Ledger.ConfirmReleaseAsync("exp", second.ClaimToken!, "bob", Ct)).Outcome);
        Assert.Equal(TransitionOutcome.ClaimLost, (await Ledger.ConfirmReleaseAsync("exp", first.ClaimToken!, "alice", Ct)).Outcome);
        Assert.Equal(TransitionOutcome.AlreadyReleased, (await Ledger.AbortReleaseAsync("exp", second.ClaimToken!, "bob", "late", Ct)).Outcome);
        Assert.Equal(1, (await Ledger.CountersAsync(Ct)).Released);
    }

    [Fact]
    public async Task Many_concurrent_releases_have_exactly_one_winner_and_every_call_is_audited()
    {
        await Ledger.RecordAsync([Samples.Record("race")], Ct);
        var ledgers = CreateCompetingLedgers(Time, ClaimTimeout);
        const int callers = 48;

        var results = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(
            () => ledgers[i % ledgers.Count].TryTransitionAsync("race", QuarantineStatus.Released, $"op-{i}", "fp", Ct), Ct)));

        var winner = Assert.Single(results, r => r.MustRepublish);
        Assert.Equal(TransitionOutcome.Claimed, winner.Outcome);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(TransitionOutcome.ReleaseInProgress, r.Outcome));
        Assert.All(results.Where(r => r != winner), r => Assert.Null(r.ClaimToken));

        var confirms = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(
            () => ledgers[i % ledgers.Count].ConfirmReleaseAsync("race", winner.ClaimToken!, "winner", Ct), Ct)));
        Assert.Single(confirms, r => r.Outcome == TransitionOutcome.Applied);
        Assert.All(confirms.Where(r => r.Outcome != TransitionOutcome.Applied), r => Assert.Equal(TransitionOutcome.AlreadyReleased, r.Outcome));

        var audit = await Ledger.GetAuditAsync("race", Ct);
        Assert.Equal(callers + confirms.Length, audit.Count);
        Assert.Equal(
            Enumerable.Range(0, callers).Select(i => $"op-{i}").Order(StringComparer.Ordinal),
            audit.Where(a => a.Action == AuditAction.ReleaseClaim).Select(a => a.Actor).Order(StringComparer.Ordinal));
        Assert.Single(audit, a => a.Outcome == TransitionOutcome.Claimed);
        Assert.Equal(1, (await Ledger.CountersAsync(Ct)).Released);
    }

    [Fact]
    public async Task Concurrent_release_and_reject_have_exactly_one_winner()
    {
        await Ledger.RecordAsync([Samples.Record("tug")], Ct);
        var ledgers = CreateCompetingLedgers(Time, ClaimTimeout);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(
            () => ledgers[i % ledgers.Count].TryTransitionAsync(
                "tug", i % 2 == 0 ? QuarantineStatus.Released : QuarantineStatus.Rejected, $"op-{i}", "race", Ct), Ct)));

        var winners = results.Where(r => r.Outcome is TransitionOutcome.Claimed or TransitionOutcome.Applied).ToList();
        Assert.Single(winners);
        var expectedLoss = winners[0].Outcome == TransitionOutcome.Claimed
            ? new[] { TransitionOutcome.ReleaseInProgress }
            : [TransitionOutcome.AlreadyRejected];
        Assert.All(results.Except(winners), r => Assert.Contains(r.Outcome, expectedLoss));
        Assert.Equal(32, (await Ledger.GetAuditAsync("tug", Ct)).Count);
    }

    [Fact]
    public async Task Calls_for_an_unknown_id_are_not_found_and_still_audited()
    {
        var release = await Ledger.TryTransitionAsync("ghost", QuarantineStatus.Released, "alice", "?", Ct);
        var confirm = await Ledger.ConfirmReleaseAsync("ghost", "token", "alice", Ct);

        Assert.Equal((TransitionOutcome.NotFound, (QuarantineRecord?)null, (string?)null), (release.Outcome, release.Record, release.ClaimToken));
        Assert.Equal(TransitionOutcome.NotFound, confirm.Outcome);
        Assert.Equal(2, (await Ledger.GetAuditAsync("ghost", Ct)).Count);
        Assert.Null(await Ledger.GetAsync("ghost", Ct));
    }

    [Fact]
    public async Task Only_Released_and_Rejected_are_decisions()
    {
        await Ledger.RecordAsync([Samples.Record("d")], Ct);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.TryTransitionAsync("d", QuarantineStatus.Releasing, "a", "r", Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.TryTransitionAsync("d", QuarantineStatus.Quarantined, "a", "r", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.TryTransitionAsync("d", QuarantineStatus.Rejected, "", "r", Ct));

        Assert.Empty(await Ledger.GetAuditAsync("d", Ct));
    }

    [Fact]
    public async Task Counters_and_recent_audit_span_all_samples()
    {
        await Ledger.RecordAsync(
            [Samples.Record("c1", source: "crawler-a"), Samples.Record("c2", source: "crawler-b"),
             Samples.Record("c3", source: "crawler-a"), Samples.Record("c4", source: null)], Ct);
        await Ledger.TryTransitionAsync("c1", QuarantineStatus.Rejected, "op", "one", Ct);
        Time.Advance(TimeSpan.FromSeconds(5));
        var claim = await Ledger.TryTransitionAsync("c2", QuarantineStatus.Released, "op", "two", Ct);
        Time.Advance(TimeSpan.FromSeconds(5));
        await Ledger.ConfirmReleaseAsync("c2", claim.ClaimToken!, "op", Ct);

        var counters = await Ledger.CountersAsync(Ct);
        Assert.Equal((4L, 1L, 1L, 2L), (counters.Quarantined, counters.Released, counters.Rejected, counters.AwaitingDecision));
        Assert.Equal(new Dictionary<string, long> { ["crawler-a"] = 2, ["crawler-b"] = 1 }, counters.QuarantinedBySource);

        var recent = await Ledger.RecentAuditAsync(2, Ct);
        Assert.Equal([("c2", AuditAction.ReleaseConfirm), ("c2", AuditAction.ReleaseClaim)], recent.Select(a => (a.SampleId, a.Action)));
        Assert.Equal(Time.GetUtcNow(), recent[0].Time);
        Assert.Equal(3, (await Ledger.RecentAuditAsync(100, Ct)).Count);
    }

    private async Task<IEnumerable<string>> CampaignIdsAsync(string campaign, QuarantineStatus status) =>
        (await Ledger.ListCampaignAsync(campaign, status, 0, 100, Ct)).Select(r => r.Id);
}
