namespace ClipGuard.Stream.Core.Reference;

/// <summary>One change of the reference set, in the order applied: what replicas replay to stay identical.</summary>
public sealed record ReferenceChange(long Version, ReferenceChangeKind Kind, string SampleId, string? Source);
