using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>The input consumer as the stream loop drives it: the stages' port plus subscription, rebalances, lag and leaving the group.</summary>
internal interface IInputConsumer : IStreamConsumer, IDisposable
{
    /// <summary>Partitions revoked or lost, raised on the consuming thread (inside <see cref="IStreamConsumer.Consume"/>).</summary>
    event Action<IReadOnlyList<TopicPartition>>? Revoked;

    void Subscribe(string topic);

    /// <summary>Messages behind the end of the assigned partitions, from what the consumer already knows (no broker round trip).</summary>
    long MeasureLag();

    /// <summary>Leaves the group cleanly.</summary>
    void Close();
}
