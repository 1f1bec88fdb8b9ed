using Confluent.Kafka;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.DevBroker.Tests.Integration;

/// <summary>The mock drops the oldest messages of a partition past ~5 MiB; the dev broker must say so, loudly.</summary>
public sealed class DevBrokerRetentionTests
{
    [Fact]
    public void A_partition_past_its_retention_is_reported_with_the_messages_it_lost_and_others_are_not()
    {
        var log = new RecordingLogger();
        using DevKafkaBroker broker = DevKafkaBroker.Start(new DevBrokerOptions { Topics = [new TopicSpec("full", 1), new TopicSpec("light", 1)] }, log);
        var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5 };
        using (IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(config).Build())
        {
            byte[] value = new byte[10_000];
            // 7 MB into one partition, well past the mock's 5 MiB; a few KB into the other.
            for (int i = 0; i < 700; i++)
            {
                producer.Produce("full", new Message<Null, byte[]> { Value = value });
            }

            producer.Produce("light", new Message<Null, byte[]> { Value = value });
            producer.Flush(TimeSpan.FromSeconds(30));
        }

        IReadOnlyDictionary<TopicPartition, long> dropped = broker.CheckRetention();

        long lost = Assert.Single(dropped, d => d.Key.Topic == "full").Value;
        Assert.InRange(lost, 100, 699);
        Assert.DoesNotContain(dropped, d => d.Key.Topic == "light");
        Assert.Contains(log.Lines, l => l.StartsWith("Warning: DATA LOST: the dev broker dropped the first", StringComparison.Ordinal) && l.Contains("full[0]", StringComparison.Ordinal));
        Assert.Single(log.EventIds, id => id == 9007);
    }
}
