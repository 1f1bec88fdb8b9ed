using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// A downstream consumer of the clean, quarantine and dead-letter topics (its own group, from the start) that keeps
/// the verdicts of one service run, recognised by its detector and k headers; a dead letter is an error here.
/// </summary>
internal static class VerdictCollector
{
    public static (Dictionary<string, StreamVerdict> Verdicts, double Seconds, double Threshold) Collect(
        string bootstrap, string detector, int k, ISet<string> expected, ChildProcess service, TimeSpan timeout, Action<int> progress)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"lab-collector-{detector}-{k}-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe([TopicNames.Clean, TopicNames.Quarantine, TopicNames.DeadLetter]);
        var verdicts = new Dictionary<string, StreamVerdict>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null, last = null;
        double threshold = double.NaN;
        string kText = k.ToString(CultureInfo.InvariantCulture);
        try
        {
            while (verdicts.Count < expected.Count)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"the stream routed {verdicts.Count} of {expected.Count} images within {timeout}; service log:\n{service.Tail()}");
                }

                if (service.HasExited)
                {
                    throw new InvalidOperationException($"clipguard run exited with {service.ExitCode} after routing {verdicts.Count} of {expected.Count} images:\n{service.Tail()}");
                }

                ConsumeResult<byte[], byte[]>? r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r?.Message is null || r.IsPartitionEOF)
                {
                    continue;
                }

                string id = Encoding.UTF8.GetString(r.Message.Key ?? []);
                Dictionary<string, string> headers = r.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()), StringComparer.Ordinal);
                if (r.Topic == TopicNames.DeadLetter && expected.Contains(id))
                {
                    throw new InvalidDataException($"image {id} was dead-lettered: {headers.GetValueOrDefault(ClipGuardHeaders.Reason)}");
                }

                if (!expected.Contains(id) || headers.GetValueOrDefault(ClipGuardHeaders.Detector) != detector || headers.GetValueOrDefault(ClipGuardHeaders.K) != kText)
                {
                    continue;
                }

                double score = double.Parse(headers[ClipGuardHeaders.Score], CultureInfo.InvariantCulture);
                if (headers.TryGetValue(ClipGuardHeaders.Threshold, out string? t))
                {
                    threshold = double.Parse(t, CultureInfo.InvariantCulture);
                }

                // At-least-once: a repeated copy carries the same decision; the first one counts.
                if (verdicts.TryAdd(id, new StreamVerdict(r.Topic, score)))
                {
                    first ??= clock.Elapsed;
                    last = clock.Elapsed;
                    progress(verdicts.Count);
                }
            }
        }
        finally
        {
            consumer.Close();
        }

        return (verdicts, ((last ?? TimeSpan.Zero) - (first ?? TimeSpan.Zero)).TotalSeconds, threshold);
    }
}
