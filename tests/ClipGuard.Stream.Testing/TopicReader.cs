using Confluent.Kafka;

namespace ClipGuard.Stream.Testing;

/// <summary>Reads a topic back through a real consumer group, as downstream consumers of ClipGuard's outputs do.</summary>
public static class TopicReader
{
    /// <summary>Consumes from the beginning of <paramref name="topic"/> in a fresh group until <paramref name="count"/>
    /// messages arrived, then waits <paramref name="settle"/> more to catch any surplus (duplicates are failures too).</summary>
    /// <exception cref="TimeoutException">fewer than <paramref name="count"/> messages arrived in time.</exception>
    public static List<ConsumeResult<byte[], byte[]>> ReadExactly(
        string bootstrap, string topic, int count, TimeSpan timeout, TimeSpan? settle = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"test-{topic}-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<byte[], byte[]>>(count);
        DateTime deadline = DateTime.UtcNow + timeout;
        DateTime? stopAt = null;
        while (true)
        {
            DateTime now = DateTime.UtcNow;
            if (stopAt is { } s && now >= s)
            {
                break;
            }

            if (stopAt is null && now >= deadline)
            {
                consumer.Close();
                throw new TimeoutException($"{topic}: {results.Count} of {count} messages within {timeout}");
            }

            ConsumeResult<byte[], byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                results.Add(result);
                if (results.Count == count)
                {
                    stopAt = DateTime.UtcNow + (settle ?? TimeSpan.FromSeconds(1));
                }
            }
        }

        consumer.Close();
        return results;
    }
}
