using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;

namespace ClipGuard.Stream.Testing.Fakes;

/// <summary>
/// An in-memory output producer that records, in order, every call the router and committer make ("begin", "produce
/// TOPIC", "flush", "offsets", "commit", "abort"). Deliveries are acknowledged at the next flush or transaction commit,
/// failed for topics in <see cref="FailingTopics"/>.
/// </summary>
public sealed class FakeOutputProducer : IOutputProducer
{
    private readonly List<(string Topic, Message<byte[], byte[]> Message, Action<DeliveryReport<byte[], byte[]>> Delivered)> _inFlight = [];

    public List<string> Calls { get; } = [];

    public List<(string Topic, Message<byte[], byte[]> Message)> Produced { get; } = [];

    public List<TopicPartitionOffset> TransactionOffsets { get; } = [];

    public HashSet<string> FailingTopics { get; } = [];

    /// <summary>Thrown by the next transaction commit (once).</summary>
    public KafkaException? FailNextCommit { get; set; }

    public void InitTransactions(TimeSpan timeout) => Calls.Add("init");

    public void BeginTransaction() => Calls.Add("begin");

    public void CommitTransaction(TimeSpan timeout)
    {
        Deliver();
        if (FailNextCommit is { } e)
        {
            FailNextCommit = null;
            throw e;
        }

        Calls.Add("commit");
    }

    public void AbortTransaction(TimeSpan timeout)
    {
        _inFlight.Clear();
        Calls.Add("abort");
    }

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata group, TimeSpan timeout)
    {
        TransactionOffsets.AddRange(offsets);
        Calls.Add("offsets");
    }

    public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> delivered)
    {
        Calls.Add("produce " + topic);
        Produced.Add((topic, message));
        _inFlight.Add((topic, message, delivered));
    }

    public void Dispose()
    {
    }

    public int Flush(TimeSpan timeout)
    {
        Calls.Add("flush");
        Deliver();
        return 0;
    }

    private void Deliver()
    {
        foreach ((string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> delivered) in _inFlight)
        {
            delivered(new DeliveryReport<byte[], byte[]>
            {
                Topic = topic,
                Message = message,
                Error = FailingTopics.Contains(topic) ? new Error(ErrorCode.Local_MsgTimedOut, "simulated delivery failure") : new Error(ErrorCode.NoError),
            });
        }

        _inFlight.Clear();
    }
}
