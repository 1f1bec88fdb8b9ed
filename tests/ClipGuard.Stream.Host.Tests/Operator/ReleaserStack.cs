using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>What one operator process holds: its own Redis connection, its own producer, and a releaser on them.</summary>
internal sealed class ReleaserStack : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly CleanTopicPublisher _publisher;

    private ReleaserStack(ConnectionMultiplexer redis, RedisQuarantineLedger ledger, IProducer<byte[], byte[]> producer, CleanTopicPublisher publisher)
    {
        _redis = redis;
        Ledger = ledger;
        _producer = producer;
        _publisher = publisher;
        Releaser = new QuarantineReleaser(ledger, publisher, TimeProvider.System, NullLogger<QuarantineReleaser>.Instance);
    }

    public RedisQuarantineLedger Ledger { get; }

    public QuarantineReleaser Releaser { get; }

    public static RedisOptions RedisOptions(string configuration, string prefix) => new()
    {
        Configuration = configuration,
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    public static async Task<ReleaserStack> StartAsync(
        string redisConfiguration, string prefix, string bootstrap, string cleanTopic, TimeSpan? deliveryTimeout = null)
    {
        var options = RedisOptions(redisConfiguration, prefix);
        var redis = await ConnectionMultiplexer.ConnectAsync(options.Configuration);
        var ledger = new RedisQuarantineLedger(redis, Options.Create(options), TimeProvider.System, NullLogger<RedisQuarantineLedger>.Instance);
        var producer = CleanTopicPublisher.Build(bootstrap, deliveryTimeout ?? CleanTopicPublisher.MaxDeliveryTimeout, NullLogger.Instance);
        return new ReleaserStack(redis, ledger, producer, new CleanTopicPublisher(producer, cleanTopic));
    }

    public async ValueTask DisposeAsync()
    {
        _publisher.Dispose();
        _producer.Dispose();
        await _redis.DisposeAsync();
    }
}
