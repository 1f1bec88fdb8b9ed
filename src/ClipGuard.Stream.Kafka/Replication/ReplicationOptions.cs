namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>The replicated reference (bound from section "ClipGuard:Stream", where the service's flags set it).</summary>
public sealed class ReplicationOptions
{
    /// <summary>
    /// Replicas share one reference through the compacted log <see cref="ReferenceTopic"/>: a sample routed clean is
    /// proposed there, and every replica (the proposer too) applies the log in offset order. Needs a seed reference
    /// (identical on every replica) so all replicas start from the same state.
    /// </summary>
    public bool Replicate { get; set; }

    /// <summary>The replicated reference log: one partition, <c>cleanup.policy=compact</c> on a real broker.</summary>
    public string ReferenceTopic { get; set; } = Contract.TopicNames.Reference;

    /// <summary>How long a start may take to replay the reference log up to its end before routing anything.</summary>
    public TimeSpan ReplayTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
