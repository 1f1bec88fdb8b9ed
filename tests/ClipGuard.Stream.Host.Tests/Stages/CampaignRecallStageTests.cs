using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Tests.Telemetry;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;
using ClipGuard.Stream.Testing.Fakes;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>Campaign revocations become recalls: the suspects routed clean are held, and each revoked one is recorded, then published to the recall topic.</summary>
public sealed class CampaignRecallStageTests : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeOutputProducer _producer = new();
    private readonly InstrumentationFactory _telemetry = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _telemetry.Dispose();

    [Fact]
    public async Task EachRevokedMemberRoutedCleanIsRecordedWithItsCampaignAndOriginalBytesThenPublishedAsARecall()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        CampaignRecallStage stage = Stage(ledger);
        using RecordedMeasurements confirmations = _telemetry.Record(MetricNames.CampaignConfirmationDelay);
        stage.Remember(Decided(("p1", Route.Clean, 0.01), ("p3", Route.Clean, 0.03), ("s1", Route.Clean, 0.5), ("q1", Route.Quarantine, 0.001)));
        DateTimeOffset routedAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(1));
        stage.Remember(Decided(("p2", Route.Clean, 0.02)));
        Assert.Equal(3, stage.Suspects.Count);
        _time.Advance(TimeSpan.FromMinutes(2));

        stage.Recall([new Revocation("p2", "campaign-a-1", false, true), new Revocation("p1", "campaign-a-1", true, false)], "model-2", TestContext.Current.CancellationToken);
        stage.Recall([new Revocation("p3", "campaign-a-1", true, false)], "model-2", TestContext.Current.CancellationToken);

        // The campaign is timed once, from its earliest member routed clean (p1, three minutes before).
        (double delay, Dictionary<string, object?> tags) = Assert.Single(confirmations.Values);
        Assert.Equal(180, delay);
        Assert.Equal("stream", tags["confirmed_by"]);

        Assert.Equal(0, stage.Undelivered);
        Assert.Equal(0, stage.Suspects.Count);
        foreach (string id in new[] { "p1", "p2", "p3" })
        {
            QuarantineRecord record = Assert.IsType<QuarantineRecord>(await ledger.GetAsync(id, TestContext.Current.CancellationToken));
            Assert.Equal("campaign-a-1", record.Campaign);
            Assert.Equal("precomputed", record.RecalledFrom);
            Assert.Equal("model-2", record.ModelVersion);
            Assert.Equal(Value(id), record.Value);
            Assert.Equal(_time.GetUtcNow(), record.QuarantinedAt);
        }

        // Samples not revoked (a clean non-suspect, one quarantined on arrival) are not recalled.
        Assert.Null(await ledger.GetAsync("s1", TestContext.Current.CancellationToken));
        Assert.Equal(3, _producer.Produced.Count);
        Assert.All(_producer.Produced, p => Assert.Equal(TopicNames.Recalls, p.Topic));
        Assert.Equal(["p2", "p1", "p3"], _producer.Produced.Select(p => Encoding.UTF8.GetString(p.Message.Key)));
        RecallMessage recall = Recall(_producer.Produced[1].Message);
        Assert.Equal(("p1", VerdictValues.Quarantine, "campaign-a-1", "precomputed", "model-2"), (recall.SampleId, recall.Verdict, recall.Campaign, recall.RecalledFrom, recall.Model));
        Assert.Equal((0.01, routedAt, _time.GetUtcNow()), (recall.PValue, recall.RoutedAt, recall.RecalledAt));
        Assert.Equal((InputMessages.Topic, 0, 0L), (recall.SourceTopic, recall.SourcePartition, recall.SourceOffset));
        Assert.True(_producer.Produced[0].Message.Headers.TryGetLastBytes(ClipGuardHeaders.Campaign, out byte[] campaign));
        Assert.Equal("campaign-a-1", Encoding.UTF8.GetString(campaign));
    }

    [Fact]
    public async Task ALedgerFailureKeepsTheRecallsQueuedAndTheyAreRetriedAfterTheInterval()
    {
        var ledger = new FlakyLedger(new InMemoryQuarantineLedger(_time), failingWrites: 1);
        CampaignRecallStage stage = Stage(ledger);
        stage.Remember(Decided(("p1", Route.Clean, 0.01), ("p2", Route.Clean, 0.02)));

        stage.Recall([new Revocation("p1", "campaign-a-1", true, false), new Revocation("p2", "campaign-a-1", true, false)], "precomputed", TestContext.Current.CancellationToken);

        Assert.Equal(2, stage.Undelivered);
        Assert.Empty(_producer.Produced);
        Assert.Contains(5115, _log.EventIds);

        stage.RetryDue(TestContext.Current.CancellationToken);
        Assert.Equal(1, ledger.RecordCalls);

        _time.Advance(RetryInterval);
        stage.RetryDue(TestContext.Current.CancellationToken);

        Assert.Equal(0, stage.Undelivered);
        Assert.Equal(2, ledger.RecordCalls);
        Assert.Equal("campaign-a-1", (await ledger.GetAsync("p2", TestContext.Current.CancellationToken))?.Campaign);
        Assert.Equal(2, _producer.Produced.Count(p => p.Topic == TopicNames.Recalls));
    }

    [Fact]
    public void ABrokerFailureKeepsTheRecallsQueuedAndTheyArePublishedAgain()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        CampaignRecallStage stage = Stage(ledger);
        stage.Remember(Decided(("p1", Route.Clean, 0.01)));
        _producer.FailingTopics.Add(TopicNames.Recalls);

        stage.Recall([new Revocation("p1", "campaign-a-1", true, false)], "precomputed", TestContext.Current.CancellationToken);
        Assert.Equal(1, stage.Undelivered);

        _producer.FailingTopics.Clear();
        _time.Advance(RetryInterval);
        stage.RetryDue(TestContext.Current.CancellationToken);

        // At-least-once: the failed attempt was produced too.
        Assert.Equal(0, stage.Undelivered);
        Assert.Equal(2, _producer.Produced.Count(p => p.Topic == TopicNames.Recalls));
    }

    [Fact]
    public async Task ARevocationWhoseMessageWasEvictedIsLoggedNotRecalled()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        CampaignRecallStage stage = Stage(ledger, window: 2);
        stage.Remember(Decided(("p1", Route.Clean, 0.01), ("p2", Route.Clean, 0.02), ("p3", Route.Clean, 0.03)));
        Assert.Equal(2, stage.Suspects.Count);

        stage.Recall([new Revocation("p1", "campaign-a-1", true, false)], "precomputed", TestContext.Current.CancellationToken);

        Assert.Null(await ledger.GetAsync("p1", TestContext.Current.CancellationToken));
        Assert.Empty(_producer.Produced);
        Assert.Equal(0, stage.Undelivered);
        Assert.Contains(5114, _log.EventIds);
        Assert.Contains(_log.Lines, l => l.Contains("p1", StringComparison.Ordinal) && l.Contains("no longer held", StringComparison.Ordinal));
    }

    [Fact]
    public void TheHeldSuspectsAndTheirBytesAreGaugedAfterEveryBatchRecallAndSwap()
    {
        CampaignRecallStage stage = Stage(new InMemoryQuarantineLedger(_time));
        Assert.Null(_telemetry.Observe(MetricNames.CampaignHeldSuspects));

        stage.Remember(Decided(("p1", Route.Clean, 0.01), ("p2", Route.Clean, 0.03), ("s1", Route.Clean, 0.5), ("q1", Route.Quarantine, 0.001)));
        Assert.Equal(2, _telemetry.Observe(MetricNames.CampaignHeldSuspects));
        Assert.Equal(Value("p1").LongLength + Value("p2").LongLength, _telemetry.Observe(MetricNames.CampaignHeldSuspectBytes));

        stage.Recall([new Revocation("p1", "campaign-a-1", true, false)], "model-2", TestContext.Current.CancellationToken);
        Assert.Equal(1, _telemetry.Observe(MetricNames.CampaignHeldSuspects));
        Assert.Equal(Value("p2").LongLength, _telemetry.Observe(MetricNames.CampaignHeldSuspectBytes));

        stage.Forget();
        Assert.Equal(0, _telemetry.Observe(MetricNames.CampaignHeldSuspects));
        Assert.Equal(0, _telemetry.Observe(MetricNames.CampaignHeldSuspectBytes));
    }

    [Fact]
    public void TheHeldSuspectsAreBoundedFirstInFirstOutAndASampleSeenAgainKeepsItsPlace()
    {
        var suspects = new CleanSuspects(2);
        DateTimeOffset now = _time.GetUtcNow();
        foreach ((PendingMessage message, Verdict verdict) in Decided(("a", Route.Clean, 0.01), ("b", Route.Clean, 0.01), ("a", Route.Clean, 0.01), ("c", Route.Clean, 0.01)))
        {
            suspects.Add(LedgerStage.ToRecord(message, verdict, now), now);
        }

        Assert.Null(suspects.Take("a"));
        Assert.NotNull(suspects.Take("b"));
        Assert.Equal(1, suspects.Count);
        Assert.Equal(Value("c").LongLength, suspects.ValueBytes);

        suspects.Clear();
        Assert.Equal((0, 0L), (suspects.Count, suspects.ValueBytes));
        Assert.Null(suspects.Take("c"));
    }

    private CampaignRecallStage Stage(IQuarantineLedger ledger, int window = 20_000) => new(
        new CampaignOptions { Grouping = CampaignGrouping.Image, Window = window },
        new RecallPublisher(ledger, _producer, new KafkaStreamOptions().RecallTopic),
        RetryInterval,
        _telemetry.Instrumentation,
        _time,
        _log);

    private static byte[] Value(string id) => Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}");

    private static RecallMessage Recall(Message<byte[], byte[]> message) =>
        JsonSerializer.Deserialize(message.Value, RecallJsonContext.Default.RecallMessage)!;

    private static List<(PendingMessage, Verdict)> Decided(params (string Id, Route Route, double PValue)[] verdicts) =>
        [.. verdicts.Select((v, i) => (
            new PendingMessage(InputMessages.At(0, i, v.Id, Value(v.Id)), new StreamSample(v.Id, "src", [1f, 0f]), null),
            TestVerdicts.Of(v.Id, v.Route) with { PValue = v.PValue }))];
}
