using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>What the stream's stages need of the input consumer (a fake stands in for the broker in unit tests).</summary>
internal interface IStreamConsumer
{
    /// <summary>The partitions this member owns now.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>The group's metadata, which an exactly-once transaction commits offsets under.</summary>
    IConsumerGroupMetadata GroupMetadata { get; }

    /// <summary>The next message, a partition-EOF marker, or null when none arrived within <paramref name="timeout"/>.</summary>
    ConsumeResult<byte[], byte[]>? Consume(TimeSpan timeout);

    void Pause(IEnumerable<TopicPartition> partitions);

    void Resume(IEnumerable<TopicPartition> partitions);

    void Seek(TopicPartitionOffset position);

    void Commit(IEnumerable<TopicPartitionOffset> offsets);
}
