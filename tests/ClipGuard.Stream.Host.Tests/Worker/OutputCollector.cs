using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>
/// A downstream consumer of all three output topics, in its own group, running on its own thread: what a user of
/// ClipGuard's outputs sees. Keeps every copy, so duplicates (allowed at-least-once, removed by key) are visible.
/// </summary>
internal sealed class OutputCollector : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly List<RoutedCopy> _copies = [];

    public OutputCollector(string bootstrap, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"collector-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            IsolationLevel = isolation,
        };
        _thread = new Thread(() =>
        {
            using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            consumer.Subscribe([TopicNames.Clean, TopicNames.Quarantine, TopicNames.DeadLetter]);
            while (!_stop.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? r = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (r is { IsPartitionEOF: false, Message: not null })
                {
                    var copy = new RoutedCopy(r.Topic, Encoding.UTF8.GetString(r.Message.Key ?? []), r.Message.Value, Headers(r.Message.Headers));
                    lock (_copies)
                    {
                        _copies.Add(copy);
                    }
                }
            }

            consumer.Close();
        }) { IsBackground = true, Name = "output-collector" };
        _thread.Start();
    }

    public List<RoutedCopy> Snapshot()
    {
        lock (_copies)
        {
            return [.. _copies];
        }
    }

    public int DistinctIds()
    {
        lock (_copies)
        {
            return _copies.Select(c => c.Id).Distinct().Count();
        }
    }

    /// <summary>Waits until <paramref name="ids"/> distinct ids arrived, then a little longer for any surplus.</summary>
    public List<RoutedCopy> WaitForDistinct(int ids, TimeSpan timeout, Func<string> diagnostics, Func<bool> serviceExited)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DistinctIds() < ids)
        {
            if (serviceExited())
            {
                throw new InvalidOperationException($"clipguard run exited with {DistinctIds()} of {ids} ids routed\n{diagnostics()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{DistinctIds()} of {ids} ids routed within {timeout}\n{diagnostics()}");
            }

            Thread.Sleep(200);
        }

        Thread.Sleep(1500);
        return Snapshot();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private static Dictionary<string, string> Headers(Headers? headers) =>
        headers?.GroupBy(h => h.Key).ToDictionary(g => g.Key, g => Encoding.UTF8.GetString(g.Last().GetValueBytes())) ?? [];
}
