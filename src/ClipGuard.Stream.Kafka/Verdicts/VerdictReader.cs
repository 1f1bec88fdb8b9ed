using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Verdicts;

/// <summary>
/// A downstream consumer of the clean, quarantine and dead-letter topics, as a user of ClipGuard's outputs runs one:
/// a fresh consumer group of its own, reading from the start of each topic. Nothing is committed: the group is never
/// resumed. Not thread-safe; <see cref="VerdictListener"/> reads on a thread of its own.
/// </summary>
public sealed class VerdictReader : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private bool _closed;

    /// <param name="bootstrap">The brokers.</param>
    /// <param name="groupPrefix">The start of the group id (a random suffix makes the group fresh), to tell readers apart in broker logs.</param>
    /// <param name="isolation">Null for the client's default (read committed).</param>
    /// <param name="fetchWaitMaxMs">How long the broker may hold a fetch for more data; null for the client's default.
    /// A latency measurement wants it small.</param>
    /// <param name="topics">The topics read; null for the three output topics (the recall topic is read the same way).</param>
    public VerdictReader(string bootstrap, string groupPrefix, IsolationLevel? isolation = null, int? fetchWaitMaxMs = null, IReadOnlyList<string>? topics = null)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientFactory.VerdictReader(bootstrap, groupPrefix, isolation, fetchWaitMaxMs)).Build();
        _consumer.Subscribe(topics ?? [TopicNames.Clean, TopicNames.Quarantine, TopicNames.DeadLetter]);
    }

    /// <summary>The next routed copy, or null when none arrived within <paramref name="timeout"/>.</summary>
    /// <exception cref="KafkaException">The consumer failed.</exception>
    public RoutedCopy? Read(TimeSpan timeout)
    {
        ConsumeResult<byte[], byte[]>? r = _consumer.Consume(timeout);
        long received = Stopwatch.GetTimestamp();
        if (r is null || r.IsPartitionEOF || r.Message is not { } m)
        {
            return null;
        }

        return new RoutedCopy(r.Topic, Encoding.UTF8.GetString(m.Key ?? []), m.Value ?? [], HeaderText(m.Headers)) { ReceivedTimestamp = received };
    }

    /// <summary>Leaves the group and releases the client.</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            _consumer.Close();
        }
        finally
        {
            _consumer.Dispose();
        }
    }

    private static Dictionary<string, string> HeaderText(Headers? headers)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IHeader h in headers ?? [])
        {
            // A repeated name keeps its last value, as Headers.TryGetLastBytes reads it.
            text[h.Key] = Encoding.UTF8.GetString(h.GetValueBytes());
        }

        return text;
    }
}
