using System.Globalization;
using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// A downstream consumer of the three output topics, as a user of ClipGuard's outputs would run one: the demo's
/// progress and its report come from what actually arrived there, not from inside the service.
/// </summary>
internal sealed class VerdictCollector : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly Dictionary<string, Verdict> _verdicts = new(StringComparer.Ordinal);
    private Exception? _failure;

    public VerdictCollector(string bootstrap)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"clipguard-demo-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        _thread = new Thread(() => Consume(config)) { IsBackground = true, Name = "demo-verdicts" };
        _thread.Start();
    }

    public int Count
    {
        get
        {
            lock (_verdicts)
            {
                return _failure is null ? _verdicts.Count : throw new InvalidOperationException("reading the output topics failed", _failure);
            }
        }
    }

    public Dictionary<string, Verdict> Snapshot()
    {
        lock (_verdicts)
        {
            return new Dictionary<string, Verdict>(_verdicts, StringComparer.Ordinal);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Consume(ConsumerConfig config)
    {
        try
        {
            using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            consumer.Subscribe([TopicNames.Clean, TopicNames.Quarantine, TopicNames.DeadLetter]);
            while (!_stop.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? r = consumer.Consume(TimeSpan.FromMilliseconds(100));
                // Copies an operator released later are not verdicts; at-least-once duplicates keep the first.
                if (r?.Message is not { } m || m.Headers.TryGetLastBytes(ClipGuardHeaders.ReleasedBy, out _))
                {
                    continue;
                }

                string id = Encoding.UTF8.GetString(m.Key ?? []);
                var verdict = new Verdict(r.Topic, Number(m.Headers, ClipGuardHeaders.Score), Number(m.Headers, ClipGuardHeaders.Threshold), Text(m.Headers, ClipGuardHeaders.Reason));
                lock (_verdicts)
                {
                    _verdicts.TryAdd(id, verdict);
                }
            }

            consumer.Close();
        }
        catch (KafkaException e)
        {
            lock (_verdicts)
            {
                _failure = e;
            }
        }
    }

    private static string? Text(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out byte[] bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private static double Number(Headers headers, string name) =>
        double.TryParse(Text(headers, name), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : double.NaN;
}
