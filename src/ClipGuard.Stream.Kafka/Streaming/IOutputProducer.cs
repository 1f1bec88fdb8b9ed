using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// What the router and the offset committer need of the output producer (a fake stands in for the broker in unit tests).
/// Disposing it releases only what it owns (the service's shared producer outlives the stream loop).
/// </summary>
internal interface IOutputProducer : IDisposable
{
    void InitTransactions(TimeSpan timeout);

    void BeginTransaction();

    void CommitTransaction(TimeSpan timeout);

    void AbortTransaction(TimeSpan timeout);

    void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata group, TimeSpan timeout);

    void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> delivered);

    /// <summary>Waits up to <paramref name="timeout"/> for outstanding deliveries; returns how many are still outstanding.</summary>
    int Flush(TimeSpan timeout);
}
