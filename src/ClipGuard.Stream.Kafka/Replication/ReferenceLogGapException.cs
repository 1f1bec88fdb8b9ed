namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>
/// The replicated reference log no longer holds a record this replica must apply (compacted or deleted after the
/// snapshot it restored): replaying past the gap would build a different reference than the other replicas hold.
/// </summary>
public sealed class ReferenceLogGapException(string message) : Exception(message);
