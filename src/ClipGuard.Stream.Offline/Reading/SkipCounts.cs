using System.Collections.Concurrent;

namespace ClipGuard.Stream.Offline.Reading;

/// <summary>How many members or samples were left out, per reason code; safe to add to from decode workers.</summary>
public sealed class SkipCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(SkipReason reason) => Add(SkipReasons.Code(reason));

    public void Add(string code, long count = 1) => _counts.AddOrUpdate(code, count, (_, c) => c + count);

    public long this[SkipReason reason] => _counts.TryGetValue(SkipReasons.Code(reason), out long c) ? c : 0;

    public long Total => _counts.Values.Sum();

    /// <summary>A sorted snapshot, so files written from it are byte-stable.</summary>
    public SortedDictionary<string, long> Snapshot() => new(_counts, StringComparer.Ordinal);
}
