using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Tests.Clients;

/// <summary>The delivery guarantees live in the client configs: each is checked where it is built.</summary>
public sealed class KafkaClientFactoryTests
{
    private static readonly KafkaStreamOptions Options = new() { BootstrapServers = "broker:9092", GroupId = "g", MaxMessageBytes = 4 * 1024 * 1024, TransactionalIdPrefix = "cg-" };

    [Fact]
    public void TheStreamConsumerLeavesOffsetsToTheLoopAndReadsOnlyCommittedOutputs()
    {
        ConsumerConfig c = new KafkaClientFactory(Options).StreamConsumer();

        Assert.Equal(("broker:9092", "g"), (c.BootstrapServers, c.GroupId));
        Assert.False(c.EnableAutoCommit);
        Assert.False(c.EnableAutoOffsetStore);
        Assert.Equal(IsolationLevel.ReadCommitted, c.IsolationLevel);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, c.PartitionAssignmentStrategy);
        Assert.Equal(8 * 1024 * 1024, c.MaxPartitionFetchBytes);
    }

    [Theory]
    [InlineData(1024 * 1024, 16 * 1024 * 1024)]
    [InlineData(4 * 1024 * 1024, 16 * 1024 * 1024)]
    [InlineData(64 * 1024 * 1024, 256 * 1024 * 1024)]
    public void TheStreamConsumerPrefetchesABoundedAmountThatStillHoldsTheLargestMessages(int maxMessageBytes, int prefetch)
    {
        var options = new KafkaStreamOptions { BootstrapServers = "broker:9092", GroupId = "g", MaxMessageBytes = maxMessageBytes };
        ConsumerConfig c = new KafkaClientFactory(options).StreamConsumer();

        Assert.Equal(prefetch / 1024, c.QueuedMaxMessagesKbytes);
        Assert.Equal(prefetch, c.FetchMaxBytes);
        Assert.True(c.FetchMaxBytes >= c.MaxPartitionFetchBytes, "a fetch must fit one partition's largest fetch");
        Assert.True(c.MaxPartitionFetchBytes >= maxMessageBytes, "the largest accepted message must be fetchable");
    }

    [Fact]
    public void StaticMembershipIsOptInAndTheIdIsValidated()
    {
        Assert.Null(new KafkaClientFactory(Options).StreamConsumer().GroupInstanceId);
        var replica = new KafkaStreamOptions { BootstrapServers = "broker:9092", GroupInstanceId = "clipguard-0" };
        Assert.Equal("clipguard-0", new KafkaClientFactory(replica).StreamConsumer().GroupInstanceId);

        var validator = new KafkaStreamOptionsValidator();
        Assert.True(validator.Validate(null, replica).Succeeded);
        var bad = validator.Validate(null, new KafkaStreamOptions { BootstrapServers = "broker:9092", GroupInstanceId = "pod 0/a" });
        Assert.True(bad.Failed);
        Assert.Contains("GroupInstanceId", bad.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStreamConsumersFetchWaitIsLibrdkafkasUnlessConfigured()
    {
        Assert.Null(new KafkaClientFactory(Options).StreamConsumer().FetchWaitMaxMs);
        var quick = new KafkaStreamOptions { BootstrapServers = "broker:9092", FetchWaitMaxMs = 5 };
        Assert.Equal(5, new KafkaClientFactory(quick).StreamConsumer().FetchWaitMaxMs);
        Assert.True(new KafkaStreamOptionsValidator().Validate(null, new KafkaStreamOptions { BootstrapServers = "broker:9092", FetchWaitMaxMs = -1 }).Failed);
    }

    [Fact]
    public void TheSharedProducerIsIdempotentAndOnlyTheExactlyOnceOneIsTransactional()
    {
        var clients = new KafkaClientFactory(Options);
        ProducerConfig shared = clients.SharedProducer(), transactional = clients.TransactionalProducer();

        Assert.True(shared.EnableIdempotence);
        Assert.Equal(Acks.All, shared.Acks);
        Assert.Null(shared.TransactionalId);
        Assert.Equal(8 * 1024 * 1024, shared.MessageMaxBytes);
        Assert.StartsWith("cg-" + Environment.MachineName + "-", transactional.TransactionalId, StringComparison.Ordinal);
        Assert.True(transactional.EnableIdempotence);
    }

    [Fact]
    public void TheReferenceLogIsReadByAssignmentFromTheStateItsPositionLivesIn()
    {
        ConsumerConfig c = new KafkaClientFactory(Options).ReferenceLogConsumer();

        Assert.False(c.EnableAutoCommit);
        Assert.Equal(AutoOffsetReset.Error, c.AutoOffsetReset);
        Assert.True(c.EnablePartitionEof);
        Assert.Equal(IsolationLevel.ReadCommitted, c.IsolationLevel);
    }

    [Fact]
    public void AReleaseIsSentAtOnceWithinItsDeliveryTimeout()
    {
        ProducerConfig c = KafkaClientFactory.ReleaseProducer("broker:9092", "clipguard-release", 15_000);

        Assert.Equal(0, c.LingerMs);
        Assert.Equal(15_000, c.MessageTimeoutMs);
        Assert.Equal(15_000, c.RequestTimeoutMs);
        Assert.True(c.EnableIdempotence);
    }

    [Fact]
    public void EachVerdictReaderIsAFreshGroupFromTheStartThatNeverCommits()
    {
        ConsumerConfig a = KafkaClientFactory.VerdictReader("broker:9092", "demo", null, null);
        ConsumerConfig b = KafkaClientFactory.VerdictReader("broker:9092", "demo", IsolationLevel.ReadUncommitted, 5);

        Assert.StartsWith("demo-", a.GroupId, StringComparison.Ordinal);
        Assert.NotEqual(a.GroupId, b.GroupId);
        Assert.Equal(AutoOffsetReset.Earliest, a.AutoOffsetReset);
        Assert.False(a.EnableAutoCommit);
        Assert.Null(a.IsolationLevel);
        Assert.Equal(IsolationLevel.ReadUncommitted, b.IsolationLevel);
        Assert.Equal(5, b.FetchWaitMaxMs);
    }

    [Fact]
    public void ALoadGeneratorProducesIdempotentlyWithTheLingerItAskedFor()
    {
        ProducerConfig c = KafkaClientFactory.LoadProducer("broker:9092", "clipguard-demo-crawler", lingerMs: 2);

        Assert.True(c.EnableIdempotence);
        Assert.Equal(Acks.All, c.Acks);
        Assert.Equal(2, c.LingerMs);
        Assert.Equal("clipguard-demo-crawler", c.ClientId);
    }
}
