using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>Builds the one long-lived producer a process republishes released samples with.</summary>
public static class ReleaseProducer
{
    /// <summary>
    /// The keyed-service key of the release producer. Keyed, because the stream worker has its own (possibly
    /// transactional) producer, which must never be handed to a release.
    /// </summary>
    public const string ServiceKey = "clipguard-release";

    public const string ClientId = "clipguard-release";

    public static readonly TimeSpan MaxDeliveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one republish may take before librdkafka reports it failed: half the release claim at most, so a
    /// publish still in flight can never outlive its claim and race a second release that took the claim over.
    /// </summary>
    public static TimeSpan DeliveryTimeout(TimeSpan releaseClaimTimeout) =>
        TimeSpan.FromTicks(Math.Min(MaxDeliveryTimeout.Ticks, releaseClaimTimeout.Ticks / 2));

    /// <summary>An idempotent producer (acks=all) whose broker retries can never duplicate or reorder a copy.</summary>
    public static IProducer<byte[], byte[]> Build(string bootstrapServers, TimeSpan deliveryTimeout, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentNullException.ThrowIfNull(logger);
        int timeoutMs = checked((int)Math.Ceiling(deliveryTimeout.TotalMilliseconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, 100, nameof(deliveryTimeout));
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,

            // A release is one interactive message: send at once rather than wait to fill a batch.
            LingerMs = 0,
            MessageTimeoutMs = timeoutMs,
            RequestTimeoutMs = Math.Min(timeoutMs, 30_000),
        };
        return new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Log.ProducerError(logger, e.Code.ToString(), e.Reason))
            .SetLogHandler((_, m) => Log.Librdkafka(logger, (LogLevel)m.LevelAs(LogLevelType.MicrosoftExtensionsLogging), m.Facility, m.Message))
            .Build();
    }
}
