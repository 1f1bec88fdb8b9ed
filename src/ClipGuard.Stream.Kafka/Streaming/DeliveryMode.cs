namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>How outputs and consumed offsets are made durable together.</summary>
public enum DeliveryMode
{
    /// <summary>
    /// Idempotent producer; offsets are stored only after every output of the batch was acknowledged. A crash can
    /// repeat outputs (same key, same bytes): consumers deduplicate by key, the ledger is idempotent by id.
    /// </summary>
    AtLeastOnce,

    /// <summary>Kafka transactions: outputs and consumed offsets commit atomically (real brokers only).</summary>
    ExactlyOnce,
}
