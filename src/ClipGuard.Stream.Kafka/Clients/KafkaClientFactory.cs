using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Clients;

/// <summary>
/// Every Kafka client configuration of the service in one place: the stream consumer and producers, the reference-log
/// reader, the operator's release producer, the crawler-side publisher, the load generators and the output-topic
/// readers. Built from <see cref="KafkaStreamOptions"/>
/// (the release and publish configs, which run without the stream's options, take their bootstrap address).
/// </summary>
public sealed class KafkaClientFactory(KafkaStreamOptions options)
{
    /// <summary>The group consumer of the input topic: offsets are stored and committed by the loop only, read committed.</summary>
    public ConsumerConfig StreamConsumer() => new()
    {
        BootstrapServers = options.BootstrapServers,
        GroupId = options.GroupId,
        GroupInstanceId = options.GroupInstanceId,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        IsolationLevel = IsolationLevel.ReadCommitted,
        SessionTimeoutMs = 10_000,
        MaxPartitionFetchBytes = Math.Max(1_048_576, options.MaxMessageBytes * 2),
        // What the consumer prefetches ahead of the loop (librdkafka's default is 64 MiB, resident while a backlog
        // lasts): 16 MiB still holds several full micro-batches of 512-d envelopes; a fetch never asks for more.
        QueuedMaxMessagesKbytes = PrefetchBytes(options) / 1024,
        FetchMaxBytes = PrefetchBytes(options),
        FetchWaitMaxMs = options.FetchWaitMaxMs,
    };

    /// <summary>
    /// The service's shared idempotent producer (acks=all): the stream's outputs under at-least-once, and the reference
    /// log's offers, tombstones and re-score records. Outputs carry the input bytes, so its message limit follows theirs.
    /// </summary>
    public ProducerConfig SharedProducer() => new()
    {
        BootstrapServers = options.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        MessageMaxBytes = Math.Max(1_048_576, options.MaxMessageBytes * 2),
    };

    /// <summary>The exactly-once stream producer: the shared producer's settings plus a transactional id unique to this process.</summary>
    public ProducerConfig TransactionalProducer()
    {
        ProducerConfig config = SharedProducer();
        config.TransactionalId = options.TransactionalIdPrefix + Environment.MachineName + "-" + Environment.ProcessId;
        return config;
    }

    /// <summary>
    /// The reference-log reader: read by assignment, never by a group, so every replica reads every record. Offsets are
    /// never committed (the position lives in the reference state and its snapshots); a missing offset is an error, not a reset.
    /// </summary>
    public ConsumerConfig ReferenceLogConsumer() => new()
    {
        BootstrapServers = options.BootstrapServers,
        GroupId = "clipguard-reference-reader",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = true,
        AutoOffsetReset = AutoOffsetReset.Error,
        IsolationLevel = IsolationLevel.ReadCommitted,
    };

    /// <summary>
    /// The operator's release producer: one interactive message at a time (no linger), and a delivery timeout the
    /// caller bounds (half the release claim), so a publish in flight never outlives its claim.
    /// </summary>
    public static ProducerConfig ReleaseProducer(string bootstrapServers, string clientId, int deliveryTimeoutMs) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = clientId,
        EnableIdempotence = true,
        Acks = Acks.All,

        // A release is one interactive message: send at once rather than wait to fill a batch.
        LingerMs = 0,
        MessageTimeoutMs = deliveryTimeoutMs,
        RequestTimeoutMs = Math.Min(deliveryTimeoutMs, 30_000),
    };

    /// <summary>
    /// The crawler-side publisher: idempotent, with a queue deep enough for one flush batch of envelopes. Its message
    /// limit follows the service's (<paramref name="maxMessageBytes"/>, the value the service still accepts), with room
    /// for the key and the record overhead, as the service's own producer does.
    /// </summary>
    public static ProducerConfig Publisher(string bootstrapServers, int batchFlush, int maxMessageBytes = KafkaStreamOptions.DefaultMaxMessageBytes) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = "clipguard-publish",
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,

        // Enough room for one flush batch of d=512 envelopes (~5 KB each) so Produce rarely meets a full queue.
        QueueBufferingMaxMessages = Math.Max(batchFlush, 100_000),
        QueueBufferingMaxKbytes = 512 * 1024,
        MessageMaxBytes = Math.Max(1_048_576, maxMessageBytes * 2),
    };

    /// <summary>
    /// A reader of the output topics (demo, lab, benchmarks, tests): a fresh group of its own that starts at the earliest
    /// offset and never commits, so every reader sees every routed copy.
    /// </summary>
    /// <param name="bootstrapServers">The brokers.</param>
    /// <param name="groupPrefix">The start of the group id; a random suffix makes the group fresh.</param>
    /// <param name="isolation">Null for the client's default (read committed).</param>
    /// <param name="fetchWaitMaxMs">How long the broker may hold a fetch for more data; null for the client's default.</param>
    public static ConsumerConfig VerdictReader(string bootstrapServers, string groupPrefix, IsolationLevel? isolation, int? fetchWaitMaxMs) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = $"{groupPrefix}-{Guid.NewGuid():N}",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        IsolationLevel = isolation,
        FetchWaitMaxMs = fetchWaitMaxMs,
    };

    /// <summary>
    /// A load generator's producer (the demo's and the benchmark's crawler): idempotent, acks=all, a short linger so
    /// bursts go out in batches.
    /// </summary>
    public static ProducerConfig LoadProducer(string bootstrapServers, string clientId, int lingerMs) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = clientId,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = lingerMs,
    };

    /// <summary>The stream consumer's prefetch budget and largest fetch: 16 MiB, or four of the largest accepted messages.</summary>
    public static int PrefetchBytes(KafkaStreamOptions options) => Math.Max(16 << 20, options.MaxMessageBytes * 4);

    /// <summary>A byte-array producer whose client errors are logged.</summary>
    public static IProducer<byte[], byte[]> BuildProducer(ProducerConfig config, ILogger log) =>
        new ProducerBuilder<byte[], byte[]>(config).SetErrorHandler((_, e) => StreamingLog.KafkaError(log, e.Code.ToString(), e.Reason)).Build();
}
