using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Tests.Integration;
using ClipGuard.Stream.Kafka.Verdicts;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Tests.Verdicts;

/// <summary>The one reader of the output topics, against a dev broker running as a separate process.</summary>
public sealed class VerdictListenerTests(DevBrokerFixture fixture) : IClassFixture<DevBrokerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Keeps_every_copy_of_the_three_output_topics_with_its_key_value_and_headers()
    {
        var sent = new (string Topic, string Id, Headers Headers)[]
        {
            (TopicNames.Clean, "v-1", Verdict("1.5", "3")),
            (TopicNames.Quarantine, "v-2", Verdict("7.25", "3")),
            (TopicNames.DeadLetter, "v-3", new Headers { { ClipGuardHeaders.Reason, "not json"u8.ToArray() } }),
            // A duplicate, as at-least-once delivery may write one: kept, but one id.
            (TopicNames.Quarantine, "v-2", Verdict("7.25", "3")),
            // The input topic is not an output: never read.
            (TopicNames.Pairs, "v-4", new Headers()),
        };
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            foreach ((string topic, string id, Headers headers) in sent)
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = Encoding.UTF8.GetBytes("value of " + id), Headers = headers });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var listener = new VerdictListener(fixture.Broker.BootstrapServers, "verdict-listener-test");
        DateTime deadline = DateTime.UtcNow + Patience;
        while (listener.Count < 4 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        // Anything beyond the four copies would show up within a moment.
        Thread.Sleep(1000);
        List<RoutedCopy> copies = listener.Snapshot();
        Assert.Equal(4, copies.Count);
        Assert.Equal(3, listener.DistinctIds);
        RoutedCopy clean = Assert.Single(copies, c => c.Id == "v-1");
        Assert.Equal((TopicNames.Clean, 1.5, 3.0), (clean.Topic, clean.Score, clean.Threshold));
        Assert.Equal("value of v-1"u8.ToArray(), clean.Value);
        Assert.True(clean.ReceivedTimestamp > 0);
        Assert.All(copies.Where(c => c.Id == "v-2"), c => Assert.Equal((TopicNames.Quarantine, 7.25), (c.Topic, c.Score)));
        RoutedCopy dead = Assert.Single(copies, c => c.Id == "v-3");
        Assert.Equal((TopicNames.DeadLetter, "not json"), (dead.Topic, dead.Reason));
        Assert.True(double.IsNaN(dead.Score));
    }

    private static Headers Verdict(string score, string threshold) => new()
    {
        { ClipGuardHeaders.Score, Encoding.UTF8.GetBytes(score) },
        { ClipGuardHeaders.Threshold, Encoding.UTF8.GetBytes(threshold) },
    };
}
