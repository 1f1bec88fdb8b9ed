namespace ClipGuard.Stream.Core.Reference;

/// <summary>
/// The reference's members in admission order, with the r-th member overall and the r-th of one source found in
/// O(log n) and O(1): the reservoir's victim is a member at a random rank, and walking a linked list to it cost about
/// 100 µs per eviction at 50,000 members (a quarter of a micro-batch's admission time in <c>bench stream</c>).
/// Members sit at increasing positions; a Fenwick tree over the positions counts the live ones, each source keeps its
/// positions in order, and the positions are renumbered (the owner is told each member's new one) once the dead ones
/// outnumber the live.
/// </summary>
internal sealed class ArrivalOrder
{
    private readonly Dictionary<string, List<int>> _bySource = new(StringComparer.Ordinal);
    private readonly Action<string, int> _moved;
    private string?[] _ids = new string?[16];
    private int[] _tree = new int[17];
    private int _used;

    /// <param name="moved">Told (id, new position) for every member when positions are renumbered.</param>
    public ArrivalOrder(Action<string, int> moved) => _moved = moved;

    /// <summary>Live members.</summary>
    public int Count { get; private set; }

    /// <summary>Members of <paramref name="source"/>.</summary>
    public int CountOf(string source) => _bySource.TryGetValue(source, out List<int>? positions) ? positions.Count : 0;

    /// <summary>Appends a member as the newest; returns its position.</summary>
    public int Add(string id, string source)
    {
        if (_used == _ids.Length)
        {
            // Mostly dead positions: compact in place; mostly live: compact into a table twice the size.
            Renumber(Count <= _used / 2 ? _ids.Length : _ids.Length * 2);
        }

        int position = _used++;
        _ids[position] = id;
        Update(position, +1);
        if (!_bySource.TryGetValue(source, out List<int>? positions))
        {
            positions = [];
            _bySource[source] = positions;
        }

        positions.Add(position);
        Count++;
        return position;
    }

    /// <summary>Removes the member at <paramref name="position"/> (of <paramref name="source"/>).</summary>
    public void Remove(int position, string source)
    {
        if ((uint)position >= (uint)_used || _ids[position] is null)
        {
            throw new ArgumentException($"no member at arrival position {position}", nameof(position));
        }

        int at = _bySource.TryGetValue(source, out List<int>? positions) ? positions.BinarySearch(position) : -1;
        if (at < 0)
        {
            throw new ArgumentException($"arrival position {position} is not one of source {source}'s", nameof(source));
        }

        positions!.RemoveAt(at);
        if (positions.Count == 0)
        {
            _bySource.Remove(source);
        }

        _ids[position] = null;
        Update(position, -1);
        Count--;
    }

    /// <summary>The <paramref name="rank"/>-th live member, 0 = the earliest.</summary>
    public string At(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Count);

        // Fenwick descent: the largest prefix holding at most `rank` live members ends just before the one wanted.
        int node = 0, remaining = rank;
        for (int step = HighestPowerOfTwo(_tree.Length - 1); step > 0; step >>= 1)
        {
            int next = node + step;
            if (next < _tree.Length && _tree[next] <= remaining)
            {
                node = next;
                remaining -= _tree[next];
            }
        }

        return _ids[node]!;
    }

    /// <summary>The <paramref name="rank"/>-th live member of <paramref name="source"/>, 0 = its earliest.</summary>
    public string At(string source, int rank) => _ids[_bySource[source][rank]]!;

    /// <summary>Live members, earliest first.</summary>
    public IEnumerable<string> InOrder()
    {
        for (int p = 0; p < _used; p++)
        {
            if (_ids[p] is { } id)
            {
                yield return id;
            }
        }
    }

    /// <summary>Compacts the live members to positions 0..Count−1 in a table of <paramref name="length"/>.</summary>
    private void Renumber(int length)
    {
        var ids = new string?[Math.Max(16, length)];
        var newPosition = new int[_used];
        int next = 0;
        for (int p = 0; p < _used; p++)
        {
            if (_ids[p] is { } id)
            {
                newPosition[p] = next;
                ids[next++] = id;
            }
        }

        foreach (List<int> positions in _bySource.Values)
        {
            for (int i = 0; i < positions.Count; i++)
            {
                positions[i] = newPosition[positions[i]];
            }
        }

        _ids = ids;
        _used = next;
        _tree = new int[ids.Length + 1];
        for (int i = 1; i <= _used; i++)
        {
            _tree[i] = 1;
        }

        // Linear-time build: each node passes its count on to its parent.
        for (int i = 1; i < _tree.Length; i++)
        {
            int parent = i + (i & -i);
            if (parent < _tree.Length)
            {
                _tree[parent] += _tree[i];
            }
        }

        for (int p = 0; p < _used; p++)
        {
            _moved(ids[p]!, p);
        }
    }

    private void Update(int position, int delta)
    {
        for (int i = position + 1; i < _tree.Length; i += i & -i)
        {
            _tree[i] += delta;
        }
    }

    private static int HighestPowerOfTwo(int n) => n <= 0 ? 0 : 1 << (31 - int.LeadingZeroCount(n));
}
