namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// For each slot, the members whose neighbour lists hold it, in the order they entered. One array per slot with its
/// count kept beside it, grown by half: no list object per member and less growth slack than a
/// <see cref="List{T}"/> per slot, which doubles (docs/benchmarks.md, "Memory per reference member").
/// </summary>
internal sealed class ReverseLists
{
    private int[]?[] _items;
    private int[] _count;

    public ReverseLists(int capacity)
    {
        _items = new int[]?[capacity];
        _count = new int[capacity];
    }

    /// <summary>The members whose lists hold <paramref name="slot"/>.</summary>
    public ReadOnlySpan<int> Of(int slot) => _items[slot].AsSpan(0, _count[slot]);

    public void Add(int slot, int member)
    {
        int[]? items = _items[slot];
        int count = _count[slot];
        if (items is null || count == items.Length)
        {
            int size = items is null ? 4 : items.Length + Math.Max(4, items.Length / 2);
            Array.Resize(ref items, size);
            _items[slot] = items;
        }

        items[count] = member;
        _count[slot] = count + 1;
    }

    /// <summary>Removes the first occurrence of <paramref name="member"/> from the slot's list; false when absent.</summary>
    public bool Remove(int slot, int member)
    {
        int[]? items = _items[slot];
        int count = _count[slot];
        int at = items is null ? -1 : Array.IndexOf(items, member, 0, count);
        if (at < 0)
        {
            return false;
        }

        Array.Copy(items!, at + 1, items!, at, count - at - 1);
        _count[slot] = count - 1;
        return true;
    }

    /// <summary>Empties the slot's list, keeping its array for the entries to come.</summary>
    public void Clear(int slot) => _count[slot] = 0;

    /// <summary>Empties the slot's list and drops its array (the slot's point left).</summary>
    public void Release(int slot)
    {
        _items[slot] = null;
        _count[slot] = 0;
    }

    public void Resize(int capacity)
    {
        Array.Resize(ref _items, capacity);
        Array.Resize(ref _count, capacity);
    }
}
