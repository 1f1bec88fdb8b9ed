using System.ComponentModel.DataAnnotations;
using ClipGuard.Stream.Kafka.Contract;

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

    /// <summary>How long a flush may wait for acknowledgements before the publish is declared failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
