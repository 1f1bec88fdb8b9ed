using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Tests.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>The whole loop in process: a fake input consumer and output producer around the real stages and scorer.</summary>
public sealed class StreamPipelineTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeStreamConsumer _consumer;
    private readonly FakeOutputProducer _producer = new();
    private readonly InMemoryQuarantineLedger _ledger;
    private readonly InstrumentationFactory _telemetry = new();
    private readonly CancellationTokenSource _stop = new();

    public StreamPipelineTests()
    {
        _consumer = new FakeStreamConsumer(_time);
        _ledger = new InMemoryQuarantineLedger(_time);
        _consumer.Assigned.AddRange([InputMessages.Partition(0), InputMessages.Partition(1)]);
    }

    public void Dispose()
    {
        _telemetry.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task EveryMessageIsRoutedToOneTopicAndItsOffsetCommittedAfterIt()
    {
        for (int i = 0; i < 20; i++)
        {
            _consumer.Enqueue(InputMessages.At(0, i, $"s{i}", Envelope($"s{i}", Near(i))));
        }

        _consumer.Enqueue(InputMessages.At(0, 20, "planted", Envelope("planted", [40f, -40f])));
        _consumer.Enqueue(InputMessages.At(0, 21, "broken", "{\"id\":"u8.ToArray()));
        StopOnceCommitted();

        Pipeline(Seeded()).Run(_stop.Token);

        Assert.Equal(InputMessages.Topic, _consumer.Subscribed);
        Assert.True(_consumer.Closed);
        Assert.Equal(22, _producer.Produced.Count);
        Assert.Equal(22, _producer.Produced.Select(p => System.Text.Encoding.UTF8.GetString(p.Message.Key)).Distinct().Count());
        Assert.Equal(TopicNames.Quarantine, Assert.Single(_producer.Produced, p => p.Message.Key.SequenceEqual("planted"u8.ToArray())).Topic);
        Assert.Equal(TopicNames.DeadLetter, Assert.Single(_producer.Produced, p => p.Message.Key.SequenceEqual("broken"u8.ToArray())).Topic);
        Assert.NotNull(await _ledger.GetAsync("planted", TestContext.Current.CancellationToken));
        Assert.Equal(22, Assert.Single(Assert.Single(_consumer.Commits)).Offset.Value);
    }

    [Fact]
    public void MessagesHeldForTheBootstrapPinTheirOffsetsUntilItsTimeoutCompletesIt()
    {
        for (int i = 0; i < 20; i++)
        {
            _consumer.Enqueue(InputMessages.At(0, i, $"s{i}", Envelope($"s{i}", Near(i))));
        }

        long start = _time.GetTimestamp();
        TimeSpan? firstCommit = null;
        _consumer.OnIdle = () =>
        {
            if (_consumer.Commits.Count > 0)
            {
                firstCommit ??= _time.GetElapsedTime(start);
                _stop.Cancel();
            }
        };

        Pipeline(Unseeded()).Run(_stop.Token);

        Assert.True(firstCommit >= TimeSpan.FromSeconds(30), $"committed after {firstCommit}");
        Assert.Equal(20, _producer.Produced.Count);
        Assert.Equal(20, Assert.Single(Assert.Single(_consumer.Commits)).Offset.Value);
    }

    [Fact]
    public void ARevokedPartitionDropsItsHeldMessagesAndNeverCommits()
    {
        for (int i = 0; i < 20; i++)
        {
            _consumer.Enqueue(InputMessages.At(i % 2, i, $"s{i}", Envelope($"s{i}", Near(i))));
        }

        // Revoked after the first batch was decided (held for the bootstrap), before the bootstrap timeout.
        bool revoked = false;
        _consumer.OnIdle = () =>
        {
            if (!revoked && _consumer.ConsumeCalls > 25)
            {
                revoked = true;
                _consumer.Revoke(InputMessages.Partition(1));
            }

            if (_consumer.Commits.Count > 0)
            {
                _stop.Cancel();
            }
        };

        Pipeline(Unseeded()).Run(_stop.Token);

        Assert.True(revoked);
        Assert.Equal(10, _producer.Produced.Count);
        TopicPartitionOffsetAssert(Assert.Single(Assert.Single(_consumer.Commits)), partition: 0, offset: 19);
    }

    private static void TopicPartitionOffsetAssert(Confluent.Kafka.TopicPartitionOffset committed, int partition, long offset) =>
        Assert.Equal((partition, offset), (committed.Partition.Value, committed.Offset.Value));

    private void StopOnceCommitted() => _consumer.OnIdle = () =>
    {
        if (_consumer.Commits.Count > 0)
        {
            _stop.Cancel();
        }
    };

    private StreamPipeline Pipeline(StreamScorer scorer)
    {
        var kafka = new KafkaStreamOptions { BootstrapServers = "fake:9092" };
        var factory = new StreamPipelineFactory(
            Options.Create(kafka),
            Options.Create(new ReferenceStoreOptions()),
            Options.Create(new LedgerRetryOptions()),
            Options.Create(new ReplicationOptions()),
            Options.Create(new SentinelOptions()),
            new KafkaClientFactory(kafka),
            new SharedProducer(new KafkaClientFactory(kafka), NullLogger<SharedProducer>.Instance),
            _ledger,
            new ImageEmbedding(null),
            _telemetry.Instrumentation,
            _time,
            NullLoggerFactory.Instance);
        return factory.Compose(scorer, _consumer, _producer, replicator: null, snapshots: null, images: null);
    }

    private static StreamScorer Seeded()
    {
        var scorer = new StreamScorer(2, ScorerOptions(bootstrapSize: 100));
        var seed = new Matrix<float>(200, 2);
        for (int i = 0; i < 200; i++)
        {
            Near(1000 + i).CopyTo(seed.Row(i));
        }

        scorer.Seed([.. Enumerable.Range(0, 200).Select(i => $"seed-{i}")], seed);
        return scorer;
    }

    private static StreamScorer Unseeded() => new(2, ScorerOptions(bootstrapSize: 1000));

    /// <remarks>A 1 % budget: the seed holds 200 members, and a conformal p-value cannot fall below 1 / 201.</remarks>
    private static StreamScorerOptions ScorerOptions(int bootstrapSize) =>
        new() { BootstrapSize = bootstrapSize, FalseQuarantineRate = 0.01, Reference = new ReferenceSetOptions { K = 4, MaxSourceShare = 1 } };

    /// <summary>Points on a unit circle: a dense reference in which nothing near it is an outlier.</summary>
    private static float[] Near(int i) => [MathF.Cos(i * 0.0314f), MathF.Sin(i * 0.0314f)];

    private static byte[] Envelope(string id, float[] embedding) =>
        EnvelopeWriter.ToUtf8Bytes(new SampleEnvelope(id, "a caption", embedding, null, source: "crawler-1"));
}
