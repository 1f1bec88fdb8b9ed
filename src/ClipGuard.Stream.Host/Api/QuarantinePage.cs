namespace ClipGuard.Stream.Host.Api;

/// <summary>One page of a status list, echoing the query that produced it.</summary>
public sealed record QuarantinePage(Redis.QuarantineStatus Status, string? Source, int Offset, int Count, IReadOnlyList<QuarantineView> Items)
{
    /// <summary>The campaign the page is limited to, when one was given.</summary>
    public string? Campaign { get; init; }

    public double? MinScore { get; init; }

    public double? MaxScore { get; init; }

    /// <summary>The text search, when one was given.</summary>
    public string? Q { get; init; }

    /// <summary>
    /// True when a filtered query stopped after reading <see cref="QuarantineFilter.ScanLimit"/> records: older
    /// matches may exist beyond them. Absent on unfiltered pages, which read the index directly.
    /// </summary>
    public bool? ScanLimited { get; init; }
}
