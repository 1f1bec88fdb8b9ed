using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

/// <summary>Route, then commit, against in-memory fakes of the producer and the consumer.</summary>
public sealed class RouteStageTests
{
    private readonly FakeOutputProducer _producer = new();
    private readonly FakeStreamConsumer _consumer = new();
    private readonly FakeRouteTelemetry _telemetry = new();
    private readonly FakeProposals _proposals = new();

    [Fact]
    public void AtLeastOnceCommitsOffsetsOnlyAfterEveryOutputAndOfferWasAcknowledged()
    {
        _consumer.Assigned.Add(InputMessages.Partition(0));
        RouteStage route = Stage(DeliveryMode.AtLeastOnce);
        List<(PendingMessage, Verdict)> decided = Decided(("a", Route.Clean), ("b", Route.Quarantine), ("c", Route.DeadLetter));

        route.Route(decided, Offsets((0, 3)), [new StreamSample("a", "src", [1f])]);

        Assert.Equal(["produce clipguard.clean", "produce clipguard.quarantine", "produce clipguard.deadletter", "flush"], _producer.Calls);
        Assert.Equal(["propose a", "await"], _proposals.Calls);
        Assert.Equal(3, Assert.Single(Assert.Single(_consumer.Commits)).Offset.Value);
        Assert.Equal((3, 1, 1), (_telemetry.Spans, _telemetry.Produces, _telemetry.Commits));
    }

    [Fact]
    public void AtLeastOnceCommitsNothingWhenAnOutputWasNotDelivered()
    {
        _consumer.Assigned.Add(InputMessages.Partition(0));
        _producer.FailingTopics.Add("clipguard.quarantine");
        RouteStage route = Stage(DeliveryMode.AtLeastOnce);

        var e = Assert.Throws<KafkaException>(() => route.Route(Decided(("a", Route.Clean), ("b", Route.Quarantine)), Offsets((0, 2)), []));

        Assert.Contains("1 outputs were not delivered", e.Message, StringComparison.Ordinal);
        Assert.Empty(_consumer.Commits);
        Assert.DoesNotContain("await", _proposals.Calls);
    }

    [Fact]
    public void AtLeastOnceCommitsOnlyPartitionsStillAssignedAndToleratesARebalancingGroup()
    {
        _consumer.Assigned.Add(InputMessages.Partition(1));
        RouteStage route = Stage(DeliveryMode.AtLeastOnce);
        route.Route(Decided(("a", Route.Clean)), Offsets((0, 5), (1, 9)), []);
        Assert.Equal(InputMessages.Partition(1), Assert.Single(Assert.Single(_consumer.Commits)).TopicPartition);

        _consumer.FailNextCommit = new KafkaException(ErrorCode.RebalanceInProgress);
        route.Route(Decided(("b", Route.Clean)), Offsets((1, 10)), []);
        Assert.Single(_consumer.Commits);
    }

    [Fact]
    public void ExactlyOnceCommitsOutputsAndOffsetsInOneTransaction()
    {
        RouteStage route = Stage(DeliveryMode.ExactlyOnce);
        route.Start();

        route.Route(Decided(("a", Route.Clean), ("b", Route.Quarantine)), Offsets((0, 2)), []);

        Assert.Equal(["init", "begin", "produce clipguard.clean", "produce clipguard.quarantine", "offsets", "commit"], _producer.Calls);
        Assert.Equal(2, Assert.Single(_producer.TransactionOffsets).Offset.Value);
        Assert.Empty(_consumer.Commits);
    }

    [Fact]
    public void ExactlyOnceAbortsTheTransactionWhenItCannotCommit()
    {
        _producer.FailNextCommit = new KafkaException(ErrorCode.Local_Fail);
        RouteStage route = Stage(DeliveryMode.ExactlyOnce);

        Assert.Throws<KafkaException>(() => route.Route(Decided(("a", Route.Clean)), Offsets((0, 1)), []));

        Assert.Equal("abort", _producer.Calls[^1]);
    }

    [Fact]
    public void OutputsCarryTheInputBytesAndTheVerdictHeaders()
    {
        _consumer.Assigned.Add(InputMessages.Partition(0));
        Stage(DeliveryMode.AtLeastOnce).Route(Decided(("a", Route.Quarantine)), Offsets((0, 1)), []);

        (string topic, Message<byte[], byte[]> message) = Assert.Single(_producer.Produced);
        Assert.Equal("clipguard.quarantine", topic);
        Assert.Equal("a"u8.ToArray(), message.Key);
        Assert.Contains(message.Headers, h => h.Key.StartsWith("clipguard-", StringComparison.Ordinal));
    }

    private RouteStage Stage(DeliveryMode delivery)
    {
        var options = new KafkaStreamOptions { BootstrapServers = "fake:9092", Delivery = delivery };
        return new RouteStage(
            new Router(_producer, options, _telemetry), new OffsetCommitter(_producer, _consumer, options, NullLogger.Instance), _producer, _telemetry,
            new FakeTimeProvider(), NullLogger.Instance, _proposals);
    }

    private static List<(PendingMessage, Verdict)> Decided(params (string Id, Route Route)[] verdicts) =>
        [.. verdicts.Select((v, i) => (HeldMessagesTests.Pending(0, i, v.Id), TestVerdicts.Of(v.Id, v.Route)))];

    private static Dictionary<TopicPartition, Offset> Offsets(params (int Partition, long Offset)[] offsets) =>
        offsets.ToDictionary(o => InputMessages.Partition(o.Partition), o => new Offset(o.Offset));

    private sealed class FakeProposals : IReferenceProposals
    {
        public List<string> Calls { get; } = [];

        public void Propose(IReadOnlyList<StreamSample> cleared) => Calls.AddRange(cleared.Select(s => "propose " + s.Id));

        public void AwaitDelivery() => Calls.Add("await");
    }
}
