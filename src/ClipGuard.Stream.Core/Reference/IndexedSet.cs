namespace ClipGuard.Stream.Core.Reference;

/// <summary>A set with O(1) add, remove and uniform random pick (swap-remove over a list).</summary>
internal sealed class IndexedSet<TItem>
    where TItem : notnull
{
    private readonly List<TItem> _items = [];
    private readonly Dictionary<TItem, int> _index = [];

    public int Count => _items.Count;

    public bool Add(TItem item)
    {
        if (!_index.TryAdd(item, _items.Count))
        {
            return false;
        }

        _items.Add(item);
        return true;
    }

    public bool Remove(TItem item)
    {
        if (!_index.Remove(item, out int i))
        {
            return false;
        }

        TItem last = _items[^1];
        _items.RemoveAt(_items.Count - 1);
        if (i < _items.Count)
        {
            _items[i] = last;
            _index[last] = i;
        }

        return true;
    }

    public TItem Pick(Random rng) => _items[rng.Next(_items.Count)];
}
