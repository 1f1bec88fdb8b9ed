namespace ClipGuard.Stream.Host.Api;

/// <summary>One reference neighbour the score came from.</summary>
public sealed record NeighbourView(string Id, double Distance);
