using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.DevBroker.Tests;

public sealed class DevBrokerOptionsTests
{
    [Fact]
    public void Parses_topic_lists_with_and_without_partition_counts()
    {
        IReadOnlyList<TopicSpec> topics = TopicSpec.ParseList(" a.b:3, c ,d-e:12,", 4);

        Assert.Equal([new TopicSpec("a.b", 3), new TopicSpec("c", 4), new TopicSpec("d-e", 12)], topics);
        Assert.Throws<FormatException>(() => TopicSpec.Parse("x:two", 4));
        Assert.Throws<FormatException>(() => TopicSpec.Parse("x:-1", 4));
    }

    [Fact]
    public void The_defaults_are_valid_and_name_every_contract_topic()
    {
        var options = new DevBrokerOptions();

        Assert.True(DevBrokerOptionsValidator.ValidateAll(options).Succeeded);
        Assert.Equal(6, options.Topics.Count);
    }

    [Theory]
    [InlineData(0, 0, "ok:1", "Brokers")]
    [InlineData(17, 0, "ok:1", "Brokers")]
    [InlineData(1, 80, "ok:1", "Port 80")]
    [InlineData(3, 65534, "ok:1", "Port 65534")]
    [InlineData(1, 0, "ok:0", "0 partitions")]
    [InlineData(1, 0, "ok:257", "257 partitions")]
    [InlineData(1, 0, "bad/name:1", "not a valid Kafka topic name")]
    [InlineData(1, 0, "..:1", "not a valid Kafka topic name")]
    [InlineData(1, 0, "dup:1,dup:2", "listed twice")]
    public void Rejects_invalid_layouts(int brokers, int port, string topics, string expected)
    {
        var options = new DevBrokerOptions { Brokers = brokers, Port = port, Topics = [.. TopicSpec.ParseList(topics, 4)] };

        ValidateOptionsResult result = DevBrokerOptionsValidator.ValidateAll(options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }
}
