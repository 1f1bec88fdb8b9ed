namespace ClipGuard.Stream.Core.Reference;

/// <summary>A cleared sample still in the hold-back when the reference set was saved (vector in metric space).</summary>
public sealed record PendingSampleState<T>(string Id, string Source, T[] Vector);
