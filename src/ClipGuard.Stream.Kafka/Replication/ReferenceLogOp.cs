namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>What a record of the replicated reference log asks every replica to do.</summary>
public enum ReferenceLogOp
{
    /// <summary>Offer a sample the proposer routed clean (it enters the hold-back, then the admission rule decides).</summary>
    Offer = 1,

    /// <summary>A tombstone (null value): the sample leaves the hold-back or the reference.</summary>
    Revoke = 2,

    /// <summary>Recalibrate the threshold now (a full re-score publishes it after its evictions).</summary>
    Recalibrate = 3,
}
