using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>Keeps, per query, the <c>capacity</c> smallest approximate squared distances in a bounded max-heap.</summary>
internal struct TopKSink : ITileSink
{
    private readonly int _capacity;
    private readonly double[] _keys;
    private readonly int[] _slots;
    private readonly int[] _sizes;
    private readonly double[] _bound;
    private readonly int[]? _excludedSlot;

    /// <param name="excludedSlot">Per query, a slot never to report (the query itself when it is a member), or null.</param>
    public TopKSink(int queryCount, int capacity, int[]? excludedSlot)
    {
        _capacity = capacity;
        _keys = new double[queryCount * capacity];
        _slots = new int[queryCount * capacity];
        _sizes = new int[queryCount];
        // Padded to whole panel pairs for the vector screen; padding lanes never pass it.
        _bound = new double[(queryCount + 31) / 32 * 32];
        Array.Fill(_bound, double.NegativeInfinity);
        Array.Fill(_bound, double.PositiveInfinity, 0, queryCount);
        _excludedSlot = excludedSlot;
    }

    public readonly int Capacity => _capacity;

    /// <summary>Most pairs are rejected here by one comparison; the kernel inlines this part only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Accept(int query, int slot, double approxSquared)
    {
        if (approxSquared < _bound[query])
        {
            Insert(query, slot, approxSquared);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint MayAccept(int queryBase, int slot, Vector512<double> low, Vector512<double> high) =>
        (uint)Vector512.LessThan(low, Vector512.Create<double>(_bound.AsSpan(queryBase))).ExtractMostSignificantBits()
        | ((uint)Vector512.LessThan(high, Vector512.Create<double>(_bound.AsSpan(queryBase + 8))).ExtractMostSignificantBits() << 8);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void Insert(int query, int slot, double approxSquared)
    {
        if (_excludedSlot is not null && _excludedSlot[query] == slot)
        {
            return;
        }

        int size = _sizes[query];
        int b = query * _capacity;
        if (size == _capacity)
        {
            if (approxSquared >= _keys[b])
            {
                return;
            }

            SiftDown(b, approxSquared, slot);
            _bound[query] = _keys[b];
            return;
        }

        int i = size;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (_keys[b + parent] >= approxSquared)
            {
                break;
            }

            _keys[b + i] = _keys[b + parent];
            _slots[b + i] = _slots[b + parent];
            i = parent;
        }

        _keys[b + i] = approxSquared;
        _slots[b + i] = slot;
        _sizes[query] = size + 1;
        if (size + 1 == _capacity)
        {
            _bound[query] = _keys[b];
        }
    }

    public readonly int Size(int query) => _sizes[query];

    /// <summary>Whether the heap is full and its largest kept value does not exceed <paramref name="bound"/>.</summary>
    public readonly bool MayHaveDropped(int query, double bound) =>
        _sizes[query] == _capacity && _keys[query * _capacity] <= bound;

    public readonly void CopyTo(int query, List<(double Key, int Slot)> into)
    {
        int b = query * _capacity;
        for (int i = 0; i < _sizes[query]; i++)
        {
            into.Add((_keys[b + i], _slots[b + i]));
        }
    }

    private readonly void SiftDown(int b, double key, int slot)
    {
        int i = 0;
        int n = _capacity;
        while (true)
        {
            int l = (2 * i) + 1;
            if (l >= n)
            {
                break;
            }

            int r = l + 1;
            int m = r < n && _keys[b + r] > _keys[b + l] ? r : l;
            if (_keys[b + m] <= key)
            {
                break;
            }

            _keys[b + i] = _keys[b + m];
            _slots[b + i] = _slots[b + m];
            i = m;
        }

        _keys[b + i] = key;
        _slots[b + i] = slot;
    }
}
