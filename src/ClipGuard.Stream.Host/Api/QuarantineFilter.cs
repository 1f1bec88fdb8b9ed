using System.Globalization;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// The list filters the ledger cannot answer from an index (score range, text search, and a source within a
/// campaign). They are applied while paging through the status (and source, or campaign) index, so a filtered query
/// reads at most <see cref="ScanLimit"/> records.
/// </summary>
internal sealed record QuarantineFilter(double? MinScore, double? MaxScore, string? Text)
{
    /// <summary>Records read per filtered query: bounds the cost of a search over a large quarantine.</summary>
    public const int ScanLimit = 20_000;

    public const int MaxTextLength = 256;

    /// <summary>A source matched while scanning: set only where the index read has no per-source split (a campaign's).</summary>
    public string? Source { get; init; }

    public bool IsEmpty => MinScore is null && MaxScore is null && string.IsNullOrEmpty(Text) && Source is null;

    /// <summary>Null when the filter is usable, otherwise what is wrong with it.</summary>
    public string? Error()
    {
        if (MinScore is { } min && !double.IsFinite(min) || MaxScore is { } max && !double.IsFinite(max))
        {
            return "minScore and maxScore must be finite numbers";
        }

        if (MinScore > MaxScore)
        {
            return string.Create(CultureInfo.InvariantCulture, $"minScore ({MinScore}) must not exceed maxScore ({MaxScore})");
        }

        return Text is { Length: > MaxTextLength } ? $"q must be at most {MaxTextLength} characters" : null;
    }

    /// <summary>Score bounds are inclusive; the text matches the id, caption or source, ignoring case.</summary>
    public bool Matches(QuarantineRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (MinScore is { } min && !(record.Score >= min) || MaxScore is { } max && !(record.Score <= max)
            || Source is not null && record.Source != Source)
        {
            return false;
        }

        return string.IsNullOrEmpty(Text)
            || record.Id.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || (record.Caption?.Contains(Text, StringComparison.OrdinalIgnoreCase) ?? false)
            || (record.Source?.Contains(Text, StringComparison.OrdinalIgnoreCase) ?? false);
    }

    /// <summary>
    /// Pages through the ledger until <paramref name="count"/> matches after the first <paramref name="offset"/>
    /// matches are found, the list ends, or <see cref="ScanLimit"/> records were read.
    /// </summary>
    public Task<(List<QuarantineRecord> Items, bool ScanLimited)> ScanAsync(
        IQuarantineLedger ledger, QuarantineStatus status, string? source, int offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return ScanAsync((first, size, ct) => ledger.ListAsync(status, first, size, source, ct), offset, count, cancellationToken);
    }

    /// <summary>The same over any index: <paramref name="readPage"/> reads (offset, count) of it, newest first.</summary>
    public async Task<(List<QuarantineRecord> Items, bool ScanLimited)> ScanAsync(
        Func<int, int, CancellationToken, Task<IReadOnlyList<QuarantineRecord>>> readPage, int offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readPage);
        var items = new List<QuarantineRecord>(Math.Min(count, RedisQuarantineLedger.MaxPageSize));
        int skipped = 0;
        for (int read = 0; read < ScanLimit;)
        {
            int chunk = Math.Min(RedisQuarantineLedger.MaxPageSize, ScanLimit - read);
            var page = await readPage(read, chunk, cancellationToken).ConfigureAwait(false);
            read += page.Count;
            foreach (var record in page.Where(Matches))
            {
                if (skipped < offset)
                {
                    skipped++;
                }
                else if (items.Count < count)
                {
                    items.Add(record);
                }
                else
                {
                    return (items, false);
                }
            }

            if (page.Count < chunk)
            {
                return (items, false);
            }
        }

        return (items, items.Count < count);
    }
}
