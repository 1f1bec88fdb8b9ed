using System.ComponentModel.DataAnnotations;
using ClipGuard.Stream.Kafka.Contract;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>Where the service reads and writes, and how it batches and commits. Section "ClipGuard:Kafka".</summary>
public sealed class KafkaStreamOptions
{
    public const string Section = "ClipGuard:Kafka";
    public const int DefaultMaxBatchSize = 500;
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    [Required]
    public string BootstrapServers { get; set; } = string.Empty;

    [Required]
    public string InputTopic { get; set; } = TopicNames.Pairs;

    [Required]
    public string CleanTopic { get; set; } = TopicNames.Clean;

    [Required]
    public string QuarantineTopic { get; set; } = TopicNames.Quarantine;

    [Required]
    public string DeadLetterTopic { get; set; } = TopicNames.DeadLetter;

    [Required]
    public string GroupId { get; set; } = "clipguard";

    /// <summary>
    /// Static group membership (KIP-345): a stable id per replica (e.g. the pod name of a StatefulSet). A replica that
    /// restarts under the same id within the session timeout takes its partitions back at once, without a rebalance;
    /// without it a restarted replica waits for the dead member's session to expire. Null: dynamic membership.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,249}$", ErrorMessage = "GroupInstanceId must be 1-249 characters of [A-Za-z0-9._-]")]
    public string? GroupInstanceId { get; set; }

    public DeliveryMode Delivery { get; set; } = DeliveryMode.AtLeastOnce;

    /// <summary>Prefix of the transactional id in exactly-once mode; the instance id is appended.</summary>
    public string TransactionalIdPrefix { get; set; } = "clipguard-";

    /// <summary>Samples routed clean and later recalled by a new model (docs/sentinel.md).</summary>
    public string RecallTopic { get; set; } = TopicNames.Recalls;

    /// <summary>
    /// How long a clean verdict stays provisional (zero: final at once, no <c>clipguard-final</c> header). Set by the
    /// sentinel configuration: a sample routed clean may be recalled until this much time has passed.
    /// </summary>
    public TimeSpan ProvisionalWindow { get; set; }

    /// <summary>A micro-batch is flushed when it holds this many messages ...</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>... or when its first message has waited this long ...</summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// ... or as soon as no message arrives for this long (zero: always wait out <see cref="MaxBatchDelay"/>). Under a
    /// backlog the consumer's queue never goes quiet and batches fill to <see cref="MaxBatchSize"/>; at moderate load
    /// a batch leaves when the burst that started it is over, so latency is the work, not the batch timer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxBatchIdle { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long the broker may hold the stream consumer's fetch when a partition has no data (librdkafka's
    /// <c>fetch.wait.max.ms</c>; null: its default, 500 ms). A real broker answers as soon as data arrives; the dev
    /// broker (librdkafka's mock cluster) holds an empty fetch for the whole wait, which a low value avoids.
    /// </summary>
    [Range(0, 10_000)]
    public int? FetchWaitMaxMs { get; set; }

    /// <summary>Messages larger than this are dead-lettered, never parsed.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;
}
