using System.ComponentModel.DataAnnotations;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;

namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>Where and how <see cref="EnvelopePublisher"/> publishes.</summary>
public sealed class PublisherOptions
{
    public const int DefaultBatchFlush = 10_000;

    /// <summary>Upper bound on messages between flushes; the producer queue must hold a whole batch.</summary>
    public const int MaxBatchFlush = 1_000_000;

    [Required(AllowEmptyStrings = false)]
    public string BootstrapServers { get; set; } = string.Empty;

    [Required(AllowEmptyStrings = false)]
    public string Topic { get; set; } = TopicNames.Pairs;

    /// <summary>Flush (wait for every acknowledgement) after this many messages, bounding what is in flight.</summary>
    [Range(1, MaxBatchFlush)]
    public int BatchFlush { get; set; } = DefaultBatchFlush;

    /// <summary>
    /// The largest message value published, as the service's <c>--max-message-bytes</c> (<see cref="KafkaStreamOptions.MaxMessageBytes"/>,
    /// same default and range): a larger envelope would only be dead-lettered there, so it is not sent.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = KafkaStreamOptions.DefaultMaxMessageBytes;

    /// <summary>How long the first metadata request may take before the brokers are declared unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a flush may wait for acknowledgements before the publish is declared failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
