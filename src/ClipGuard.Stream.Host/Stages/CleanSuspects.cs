using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// The suspects routed clean that a campaign may still revoke, with what their recall needs: the quarantine record
/// their message would have had (original key, value and headers, source position, score, p-value) and when they were
/// routed. Keyed by sample id and bounded like the scorer's memory of them (<c>CampaignOptions.Window</c>): the oldest
/// is evicted first, and a sample seen again keeps its place (as the scorer's does).
/// </summary>
internal sealed class CleanSuspects(int capacity)
{
    private readonly Dictionary<string, (QuarantineRecord Record, DateTimeOffset RoutedAt)> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _byId.Count;

    /// <summary>Bytes of message values held (keys, headers and bookkeeping not counted).</summary>
    public long ValueBytes { get; private set; }

    public void Add(QuarantineRecord record, DateTimeOffset routedAt)
    {
        if (_byId.TryGetValue(record.Id, out var held))
        {
            ValueBytes += record.Value.LongLength - held.Record.Value.LongLength;
            _byId[record.Id] = (record, routedAt);
            return;
        }

        _byId[record.Id] = (record, routedAt);
        ValueBytes += record.Value.LongLength;
        _order.Enqueue(record.Id);
        // Taken entries leave their id in the queue, as the scorer's do: both count the same slots.
        while (_order.Count > capacity && _order.TryDequeue(out string? old))
        {
            if (_byId.Remove(old, out var gone))
            {
                ValueBytes -= gone.Record.Value.LongLength;
            }
        }
    }

    /// <summary>Forgets every held suspect (the scorer forgets its own at a model swap).</summary>
    public void Clear()
    {
        _byId.Clear();
        _order.Clear();
        ValueBytes = 0;
    }

    /// <summary>The held suspect, removed; null when it was evicted (or never routed clean here).</summary>
    public (QuarantineRecord Record, DateTimeOffset RoutedAt)? Take(string id)
    {
        if (!_byId.Remove(id, out var held))
        {
            return null;
        }

        ValueBytes -= held.Record.Value.LongLength;
        return held;
    }
}
