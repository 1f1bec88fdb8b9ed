using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>The release protocol against a real redis-server and a real Kafka-protocol broker.</summary>
public sealed class QuarantineReleaserTests(OperatorServices services)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    // Long enough for a straggling duplicate from a losing caller to arrive, were there one.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public async Task Concurrent_releases_put_exactly_one_copy_on_the_clean_topic_and_the_audit_shows_every_call(int callers)
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();

        // Up to four independent operator processes (own Redis connection, own producer), callers spread over them.
        var stacks = new List<ReleaserStack>();
        for (int i = 0; i < Math.Min(callers, 4); i++)
        {
            stacks.Add(await ReleaserStack.StartAsync(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, topic));
        }

        try
        {
            var original = Seeds.Record("laion-000123");
            Assert.Equal(1, await stacks[0].Ledger.RecordAsync([original], Ct));

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, callers).Select(async i =>
            {
                await start.Task;
                return await stacks[i % stacks.Count].Releaser.ReleaseAsync(original.Id, $"operator-{i}", $"false positive #{i}", Ct);
            }).ToList();
            start.SetResult();
            OperatorResult[] results = await Task.WhenAll(calls);

            OperatorResult winner = Assert.Single(results, r => r.Outcome == OperatorOutcome.Applied);
            Assert.All(results.Where(r => r != winner), r => Assert.Contains(r.Outcome, new[] { OperatorOutcome.InProgress, OperatorOutcome.AlreadyReleased }));
            Assert.Equal(QuarantineStatus.Released, winner.Status);
            string winnerActor = $"operator-{Array.IndexOf(results, winner)}";

            var copy = Assert.Single(TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 1, ReadTimeout, Settle));
            ReleasedCopy.AssertCopyOf(original, winnerActor, copy);

            var audit = await stacks[0].Ledger.GetAuditAsync(original.Id, Ct);
            var claims = audit.Where(a => a.Action == AuditAction.ReleaseClaim).ToList();
            Assert.Equal(callers, claims.Count);
            Assert.Equal(Enumerable.Range(0, callers).Select(i => $"operator-{i}").Order(), claims.Select(c => c.Actor).Order());
            Assert.Single(claims, c => c.Outcome == TransitionOutcome.Claimed);
            var confirm = Assert.Single(audit, a => a.Action == AuditAction.ReleaseConfirm);
            Assert.Equal((winnerActor, TransitionOutcome.Applied), (confirm.Actor, confirm.Outcome));
            Assert.DoesNotContain(audit, a => a.Action == AuditAction.ReleaseAbort);

            Assert.Equal(QuarantineStatus.Released, (await stacks[0].Ledger.GetAsync(original.Id, Ct))!.Status);
            Assert.Equal(1, (await stacks[0].Ledger.CountersAsync(Ct)).Released);
        }
        finally
        {
            foreach (var stack in stacks)
            {
                await stack.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_failed_publish_gives_the_claim_back_and_a_later_release_succeeds()
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();
        var original = Seeds.Record("laion-000777");

        // A broker address where nothing listens: delivery fails after the (short) delivery timeout.
        await using (var broken = await ReleaserStack.StartAsync(
            services.Redis.Configuration, prefix, $"127.0.0.1:{FreePorts.FindConsecutive(1)}", topic, TimeSpan.FromSeconds(2)))
        {
            await broken.Ledger.RecordAsync([original], Ct);
            var failed = await broken.Releaser.ReleaseAsync(original.Id, "alice", "looks fine", Ct);

            Assert.Equal(OperatorOutcome.Unavailable, failed.Outcome);
            Assert.Contains("claim was given back", failed.Detail, StringComparison.Ordinal);
            Assert.Equal(QuarantineStatus.Quarantined, failed.Status);
            var audit = await broken.Ledger.GetAuditAsync(original.Id, Ct);
            Assert.Equal(
                [(AuditAction.ReleaseClaim, TransitionOutcome.Claimed), (AuditAction.ReleaseAbort, TransitionOutcome.Applied)],
                audit.Select(a => (a.Action, a.Outcome)));
        }

        await using var working = await ReleaserStack.StartAsync(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, topic);
        var released = await working.Releaser.ReleaseAsync(original.Id, "bob", "retry", Ct);
        Assert.Equal(OperatorOutcome.Applied, released.Outcome);
        ReleasedCopy.AssertCopyOf(original, "bob", Assert.Single(TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 1, ReadTimeout, Settle)));
    }

    [Fact]
    public async Task Rejected_and_unknown_samples_are_never_published()
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();
        await using var stack = await ReleaserStack.StartAsync(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, topic);
        var original = Seeds.Record("laion-000999");
        await stack.Ledger.RecordAsync([original], Ct);

        Assert.Equal(OperatorOutcome.Applied, (await stack.Releaser.RejectAsync(original.Id, "carol", "trigger patch visible", Ct)).Outcome);
        var again = await stack.Releaser.RejectAsync(original.Id, "carol", "twice", Ct);
        Assert.Equal((OperatorOutcome.AlreadyRejected, QuarantineStatus.Rejected), (again.Outcome, again.Status));
        Assert.Equal(OperatorOutcome.AlreadyRejected, (await stack.Releaser.ReleaseAsync(original.Id, "dave", "overrule", Ct)).Outcome);
        Assert.Equal(OperatorOutcome.NotFound, (await stack.Releaser.ReleaseAsync("no-such-id", "dave", string.Empty, Ct)).Outcome);

        // A marker released afterwards is the first and only message: nothing of the rejected sample went before it.
        var marker = Seeds.Record("laion-marker");
        await stack.Ledger.RecordAsync([marker], Ct);
        Assert.Equal(OperatorOutcome.Applied, (await stack.Releaser.ReleaseAsync(marker.Id, "dave", string.Empty, Ct)).Outcome);
        var only = Assert.Single(TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 1, ReadTimeout, Settle));
        Assert.Equal(marker.Key, only.Message.Key);
    }

    [Fact]
    public async Task Bad_actors_and_reasons_are_refused_before_the_ledger_is_touched()
    {
        await using var stack = await ReleaserStack.StartAsync(
            services.Redis.Configuration, OperatorServices.NewPrefix(), services.Broker.BootstrapServers, OperatorServices.NewCleanTopic());
        await Assert.ThrowsAsync<ArgumentException>(() => stack.Releaser.ReleaseAsync("x", " ", string.Empty, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => stack.Releaser.ReleaseAsync("x", "eve\n", string.Empty, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => stack.Releaser.RejectAsync("x", "eve", new string('r', QuarantineReleaser.MaxReasonLength + 1), Ct));
        Assert.Empty(await stack.Ledger.GetAuditAsync("x", Ct));
    }
}
