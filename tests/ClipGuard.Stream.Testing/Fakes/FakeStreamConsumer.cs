using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;

namespace ClipGuard.Stream.Testing.Fakes;

/// <summary>
/// An in-memory input consumer: queued messages come out of <see cref="Consume"/> one at a time (paused partitions'
/// stay queued), and every call is recorded. Each consume moves <see cref="Time"/> on by its timeout when it finds nothing,
/// so code that polls until a deadline ends, and calls <see cref="OnIdle"/>.
/// </summary>
public sealed class FakeStreamConsumer(Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null) : IInputConsumer
{
    private readonly List<ConsumeResult<byte[], byte[]>> _queue = [];

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider? Time { get; } = time;

    public List<TopicPartition> Assigned { get; } = [];

    public HashSet<TopicPartition> Paused { get; } = [];

    public List<TopicPartitionOffset> Seeks { get; } = [];

    public List<List<TopicPartitionOffset>> Commits { get; } = [];

    public int ResumeCalls { get; private set; }

    public int ConsumeCalls { get; private set; }

    public string? Subscribed { get; private set; }

    public bool Closed { get; private set; }

    /// <summary>Called by every consume that finds nothing (a test stops the loop from here).</summary>
    public Action? OnIdle { get; set; }

    /// <summary>Thrown by the next commit (once), as a rebalancing group does.</summary>
    public KafkaException? FailNextCommit { get; set; }

    public IReadOnlyList<TopicPartition> Assignment => Assigned;

    public IConsumerGroupMetadata GroupMetadata { get; } = new FakeGroupMetadata();

    public event Action<IReadOnlyList<TopicPartition>>? Revoked;

    public void Subscribe(string topic) => Subscribed = topic;

    public long MeasureLag() => _queue.Count;

    public void Close() => Closed = true;

    public void Dispose()
    {
    }

    /// <summary>Takes partitions away as a rebalance does: their queued messages go, and the loop hears of it.</summary>
    public void Revoke(params TopicPartition[] partitions)
    {
        Assigned.RemoveAll(partitions.Contains);
        _queue.RemoveAll(m => partitions.Contains(m.TopicPartition));
        Revoked?.Invoke(partitions);
    }

    public void Enqueue(ConsumeResult<byte[], byte[]> message) => _queue.Add(message);

    public ConsumeResult<byte[], byte[]>? Consume(TimeSpan timeout)
    {
        ConsumeCalls++;
        int next = _queue.FindIndex(m => !Paused.Contains(m.TopicPartition));
        if (next < 0)
        {
            Time?.Advance(timeout);
            OnIdle?.Invoke();
            return null;
        }

        ConsumeResult<byte[], byte[]> message = _queue[next];
        _queue.RemoveAt(next);
        return message;
    }

    public void Pause(IEnumerable<TopicPartition> partitions) => Paused.UnionWith(partitions);

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        ResumeCalls++;
        Paused.ExceptWith(partitions);
    }

    public void Seek(TopicPartitionOffset position) => Seeks.Add(position);

    public void Commit(IEnumerable<TopicPartitionOffset> offsets)
    {
        if (FailNextCommit is { } e)
        {
            FailNextCommit = null;
            throw e;
        }

        Commits.Add([.. offsets]);
    }

    private sealed class FakeGroupMetadata : IConsumerGroupMetadata;
}
