namespace ClipGuard.Stream.Core.Reference;

/// <summary>One member of a saved reference set: its id, source and the distinct point (row) it occupies.</summary>
public readonly record struct ReferenceMemberState(string Id, string Source, int Point);
