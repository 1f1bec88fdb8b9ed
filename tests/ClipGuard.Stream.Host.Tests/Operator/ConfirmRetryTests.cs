using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>A confirm whose answer is lost is retried with the same token; the retry's AlreadyReleased means done.</summary>
public sealed class ConfirmRetryTests(OperatorServices services)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_confirm_that_landed_but_lost_its_answer_is_retried_and_the_release_is_applied_once()
    {
        string topic = OperatorServices.NewCleanTopic();
        var ledger = new LostAnswerLedger(new InMemoryQuarantineLedger(), failingConfirms: 2);
        using var producer = CleanTopicPublisher.Build(services.Broker.BootstrapServers, TimeSpan.FromSeconds(10), NullLogger.Instance);
        using var publisher = new CleanTopicPublisher(producer, topic);
        var releaser = new QuarantineReleaser(ledger, publisher, TimeProvider.System, NullLogger<QuarantineReleaser>.Instance);
        var original = Seeds.Record("laion-004242");
        await ledger.RecordAsync([original], Ct);

        var result = await releaser.ReleaseAsync(original.Id, "frank", "reviewed", Ct);

        Assert.Equal((OperatorOutcome.Applied, QuarantineStatus.Released), (result.Outcome, result.Status));
        Assert.Equal(3, ledger.ConfirmCalls);
        Assert.Equal(
            [TransitionOutcome.Claimed, TransitionOutcome.Applied, TransitionOutcome.AlreadyReleased, TransitionOutcome.AlreadyReleased],
            (await ledger.GetAuditAsync(original.Id, Ct)).Select(a => a.Outcome));
        ReleasedCopy.AssertCopyOf(original, "frank", Assert.Single(TopicReader.ReadExactly(
            services.Broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2))));
    }
}
