using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;

namespace ClipGuard.Stream.Cli.Streaming;

/// <summary>
/// The pieces of a stream run in this process, shared by <c>clipguard demo</c> and <c>lab replay --through-service</c>:
/// the dev broker, a producer that publishes envelopes, the hosted service, and waiting until a downstream consumer
/// of the output topics saw every sample routed.
/// </summary>
internal static class InProcessStream
{
    /// <summary>The dev broker with the input and output topics at <paramref name="partitions"/> partitions each.</summary>
    public static DevKafkaBroker StartBroker(int partitions)
    {
        var topics = DevBrokerOptions.DefaultTopics().Select(t => t.Partitions > 1 ? t with { Partitions = partitions } : t).ToList();
        return DevKafkaBroker.Start(new DevBrokerOptions { Topics = topics });
    }

    /// <summary>Serialized envelopes, ready to publish (their sizes tell how many partitions the mock cluster needs).</summary>
    public static List<(string Id, byte[] Value)> Serialize(IEnumerable<SampleEnvelope> envelopes) =>
        [.. envelopes.Select(e => (e.Id, EnvelopeWriter.ToUtf8Bytes(e)))];

    /// <summary>Publishes the messages to the input topic, keyed by id, in order, and waits until they are delivered.</summary>
    public static void Publish(string bootstrap, string clientId, IEnumerable<(string Id, byte[] Value)> messages)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(KafkaClientFactory.LoadProducer(bootstrap, clientId, lingerMs: 5)).Build();
        foreach ((string id, byte[] value) in messages)
        {
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = value });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
    }

    /// <summary>The service, built in process; null when its configuration was refused (the reason is on <paramref name="errors"/>).</summary>
    /// <param name="settings">Configuration keys; null values are left out (an empty value would bind as 0 and override the option's default).</param>
    public static WebApplication? Build(Dictionary<string, string?> settings, TextWriter errors) =>
        ClipGuardService.Build(settings.Where(p => p.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase), errors);

    /// <summary>
    /// Waits until <paramref name="collector"/> saw <paramref name="total"/> distinct samples routed; false when
    /// <paramref name="stopping"/> fired or nothing more was routed for <paramref name="stall"/>.
    /// </summary>
    public static bool WaitUntilRouted(VerdictListener collector, int total, CancellationToken stopping, TimeSpan stall, Action<int> show)
    {
        int last = -1;
        var sinceProgress = Stopwatch.StartNew();
        while (!stopping.IsCancellationRequested && sinceProgress.Elapsed < stall)
        {
            int routed = collector.DistinctIds;
            if (routed != last)
            {
                show(routed);
                last = routed;
                sinceProgress.Restart();
            }

            if (routed >= total)
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }
}
