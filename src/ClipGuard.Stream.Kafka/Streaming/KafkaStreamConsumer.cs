using ClipGuard.Stream.Kafka.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>The input topic's group consumer behind <see cref="IInputConsumer"/>; rebalances are reported through <see cref="Revoked"/>.</summary>
internal sealed class KafkaStreamConsumer : IInputConsumer
{
    private readonly IConsumer<byte[], byte[]> _consumer;

    public KafkaStreamConsumer(KafkaClientFactory clients, ILogger log)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(clients.StreamConsumer())
            .SetErrorHandler((_, e) => StreamingLog.KafkaError(log, e.Code.ToString(), e.Reason))
            .SetPartitionsAssignedHandler((_, parts) => StreamingLog.PartitionsAssigned(log, string.Join(", ", parts)))
            .SetPartitionsRevokedHandler((_, parts) => OnRevoked(log, parts.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, parts) => OnRevoked(log, parts.Select(p => p.TopicPartition).ToList()))
            .Build();
    }

    /// <summary>Partitions revoked or lost, raised on the consuming thread (inside <see cref="Consume"/>).</summary>
    public event Action<IReadOnlyList<TopicPartition>>? Revoked;

    public IReadOnlyList<TopicPartition> Assignment => _consumer.Assignment;

    public IConsumerGroupMetadata GroupMetadata => _consumer.ConsumerGroupMetadata;

    public void Subscribe(string topic) => _consumer.Subscribe(topic);

    public long MeasureLag() => ConsumerLagProbe.Measure(_consumer);

    public ConsumeResult<byte[], byte[]>? Consume(TimeSpan timeout) => _consumer.Consume(timeout);

    public void Pause(IEnumerable<TopicPartition> partitions) => _consumer.Pause(partitions);

    public void Resume(IEnumerable<TopicPartition> partitions) => _consumer.Resume(partitions);

    public void Seek(TopicPartitionOffset position) => _consumer.Seek(position);

    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => _consumer.Commit(offsets);

    /// <summary>Leaves the group cleanly.</summary>
    public void Close() => _consumer.Close();

    public void Dispose() => _consumer.Dispose();

    private void OnRevoked(ILogger log, List<TopicPartition> partitions)
    {
        StreamingLog.PartitionsRevoked(log, string.Join(", ", partitions));
        Revoked?.Invoke(partitions);
    }
}
