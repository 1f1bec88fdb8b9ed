using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>
/// The one long-lived producer that republishes released samples to the clean topic. It is built on the first
/// release, so that reads and rejects (the CLI's included) never need a broker; a singleton, never one per call.
/// </summary>
/// <remarks>
/// It does not share the service's <see cref="SharedProducer"/>: a release's delivery timeout must stay under half
/// its claim (<see cref="DeliveryTimeout"/>), and librdkafka sets that timeout per producer, not per message; the
/// stream's outputs must keep librdkafka's long default instead of failing (and restarting the service) after seconds.
/// </remarks>
public sealed class CleanTopicPublisher : IDisposable
{
    public const string ClientId = "clipguard-release";

    public static readonly TimeSpan MaxDeliveryTimeout = TimeSpan.FromSeconds(30);

    // Both lazy: reading the Kafka options validates them, and a reject must not fail for want of a broker address.
    private readonly Lazy<string> _topic;
    private readonly Lazy<IProducer<byte[], byte[]>> _producer;
    private readonly bool _ownsProducer;

    public CleanTopicPublisher(IOptions<KafkaStreamOptions> kafka, IOptions<RedisOptions> redis, ILogger<CleanTopicPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(redis);
        _topic = new Lazy<string>(() => kafka.Value.CleanTopic);
        _producer = new Lazy<IProducer<byte[], byte[]>>(() => Build(
            kafka.Value.BootstrapServers, DeliveryTimeout(redis.Value.ReleaseClaimTimeout), logger));
        _ownsProducer = true;
    }

    /// <summary>Publishes through a producer someone else owns (and disposes).</summary>
    internal CleanTopicPublisher(IProducer<byte[], byte[]> producer, string topic)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        _topic = new Lazy<string>(topic);
        _producer = new Lazy<IProducer<byte[], byte[]>>(producer);
        _ownsProducer = false;
    }

    public string Topic => _topic.Value;

    /// <summary>
    /// How long one republish may take before librdkafka reports it failed: half the release claim at most, so a
    /// publish still in flight can never outlive its claim and race a second release that took the claim over.
    /// </summary>
    public static TimeSpan DeliveryTimeout(TimeSpan releaseClaimTimeout) =>
        TimeSpan.FromTicks(Math.Min(MaxDeliveryTimeout.Ticks, releaseClaimTimeout.Ticks / 2));

    /// <summary>An idempotent producer (acks=all): broker-side retries can never duplicate or reorder a copy.</summary>
    public static IProducer<byte[], byte[]> Build(string bootstrapServers, TimeSpan deliveryTimeout, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentNullException.ThrowIfNull(logger);
        int timeoutMs = checked((int)Math.Ceiling(deliveryTimeout.TotalMilliseconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, 100, nameof(deliveryTimeout));
        ProducerConfig config = KafkaClientFactory.ReleaseProducer(bootstrapServers, ClientId, timeoutMs);
        return new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Log.ProducerError(logger, e.Code.ToString(), e.Reason))
            .SetLogHandler((_, m) => Log.Librdkafka(logger, (LogLevel)m.LevelAs(LogLevelType.MicrosoftExtensionsLogging), m.Facility, m.Message))
            .Build();
    }

    /// <summary>Publishes and waits for the broker's acknowledgement; not cancellable, since a sent message cannot be recalled.</summary>
    /// <exception cref="KafkaException">The delivery failed (see <see cref="ProduceException{TKey,TValue}.DeliveryResult"/>).</exception>
    public Task<DeliveryResult<byte[], byte[]>> PublishAsync(Message<byte[], byte[]> message) =>
        _producer.Value.ProduceAsync(_topic.Value, message, CancellationToken.None);

    public void Dispose()
    {
        if (_ownsProducer && _producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }
    }
}
