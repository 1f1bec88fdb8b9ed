namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>One decoded record of the replicated reference log (<c>clipguard.reference</c>, key = sample id).</summary>
/// <param name="Op">What to apply.</param>
/// <param name="SampleId">The record's key: the sample the record is about (the control key for recalibration).</param>
/// <param name="Proposer">The replica that published it (offers and recalibrations; null for tombstones).</param>
/// <param name="Source">The sample's source (offers).</param>
/// <param name="Embedding">The raw embedding the proposer scored (offers).</param>
public sealed record ReferenceLogRecord(ReferenceLogOp Op, string SampleId, string? Proposer, string? Source, float[]? Embedding);
