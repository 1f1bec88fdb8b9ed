namespace ClipGuard.Stream.Host.Api;

/// <summary>One page of a status list, echoing the query that produced it.</summary>
public sealed record QuarantinePage(Redis.QuarantineStatus Status, string? Source, int Offset, int Count, IReadOnlyList<QuarantineView> Items);
