using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>A Kafka producer behind <see cref="IOutputProducer"/>; disposes it only when it owns it (not the shared one).</summary>
internal sealed class KafkaOutputProducer(IProducer<byte[], byte[]> producer, bool owned) : IOutputProducer
{
    public void InitTransactions(TimeSpan timeout) => producer.InitTransactions(timeout);

    public void BeginTransaction() => producer.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout) => producer.CommitTransaction(timeout);

    public void AbortTransaction(TimeSpan timeout) => producer.AbortTransaction(timeout);

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata group, TimeSpan timeout) =>
        producer.SendOffsetsToTransaction(offsets, group, timeout);

    public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> delivered) =>
        producer.Produce(topic, message, delivered);

    public int Flush(TimeSpan timeout) => producer.Flush(timeout);

    public void Dispose()
    {
        if (owned)
        {
            producer.Dispose();
        }
    }
}
