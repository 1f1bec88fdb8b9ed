using System.Numerics;
using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// Slot-addressed storage of distinct points in metric space (unit vectors for cosine), rows contiguous for the
/// blocked distance kernel. Freed slots are reused; exact duplicates are found by content, so callers can collapse them.
/// </summary>
public sealed class VectorStore<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    // The content index: the first slot of each content hash, and per slot the next slot with the same hash (-1: none).
    // About 28 bytes a point (a dictionary entry of four ints and its bucket, one chain link); a list per hash cost 90.
    private Dictionary<int, int>? _firstByContentHash = [];
    private int[]? _nextSameHash;
    private readonly Stack<int> _free = new();
    private T[] _data;
    private double[] _sqNorms;
    private bool[] _active;

    private readonly int _maxCapacity;
    private readonly int _hashMask = -1;

    /// <param name="maxCapacity">
    /// The most points the owner will ever hold at once: growth by doubling stops there instead of overshooting (a
    /// store of 100,000 would otherwise reserve 131,072 slots). Growth past it still works, by doubling.
    /// </param>
    public VectorStore(int dimension, int initialCapacity = 1024, int maxCapacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        _maxCapacity = maxCapacity;
        initialCapacity = Math.Max(initialCapacity, 16);
        _data = new T[(long)initialCapacity * dimension];
        _sqNorms = new double[initialCapacity];
        _active = new bool[initialCapacity];
        _nextSameHash = new int[initialCapacity];
    }

    /// <summary>A store whose content hashes keep only the bits of <paramref name="hashMask"/>: tests use it to make
    /// many rows share a hash, so that the index's chains are exercised.</summary>
    internal VectorStore(int dimension, int initialCapacity, int maxCapacity, int hashMask)
        : this(dimension, initialCapacity, maxCapacity) => _hashMask = hashMask;

    public int Dimension { get; }

    /// <summary>Number of occupied slots.</summary>
    public int Count { get; private set; }

    /// <summary>One past the highest slot ever used: kernels scan [0, HighWater) and skip inactive slots.</summary>
    public int HighWater { get; private set; }

    public int Capacity => _active.Length;

    /// <summary>The slot the next <see cref="Add"/> will use.</summary>
    public int NextSlot => _free.Count > 0 ? _free.Peek() : HighWater;

    /// <summary>Largest squared norm among stored rows (never decreases; it bounds the kernel's rounding margin).</summary>
    public double MaxSqNorm { get; private set; }

    internal T[] Data => _data;

    internal double[] SqNorms => _sqNorms;

    internal bool[] Active => _active;

    public bool IsActive(int slot) => (uint)slot < (uint)HighWater && _active[slot];

    public ReadOnlySpan<T> Row(int slot) => _data.AsSpan(slot * Dimension, Dimension);

    public double SqNorm(int slot) => _sqNorms[slot];

    /// <summary>The slot holding exactly this vector, or -1.</summary>
    public int Find(ReadOnlySpan<T> vector)
    {
        int[] next = Chains;
        if (!ContentIndex.TryGetValue(ContentHash(vector), out int slot))
        {
            return -1;
        }

        for (; slot >= 0; slot = next[slot])
        {
            if (Row(slot).SequenceEqual(vector))
            {
                return slot;
            }
        }

        return -1;
    }

    /// <summary>Stores a vector that is not already present (see <see cref="Find"/>) and returns its slot.</summary>
    public int Add(ReadOnlySpan<T> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"vector has {vector.Length} dimensions, the store holds {Dimension}", nameof(vector));
        }

        Dictionary<int, int> index = ContentIndex;
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            if (HighWater == Capacity)
            {
                Grow();
            }

            slot = HighWater++;
        }

        vector.CopyTo(_data.AsSpan(slot * Dimension, Dimension));
        double sq = Distances.SquaredNorm(vector);
        _sqNorms[slot] = sq;
        MaxSqNorm = Math.Max(MaxSqNorm, sq);
        _active[slot] = true;
        Count++;
        int hash = ContentHash(vector);
        _nextSameHash![slot] = index.TryGetValue(hash, out int first) ? first : -1;
        index[hash] = slot;
        return slot;
    }

    public void Remove(int slot)
    {
        if (!IsActive(slot))
        {
            throw new ArgumentException($"slot {slot} is not occupied", nameof(slot));
        }

        int hash = ContentHash(Row(slot));
        Dictionary<int, int> index = ContentIndex;
        int[] next = Chains;
        int first = index[hash];
        if (first == slot)
        {
            if (next[slot] >= 0)
            {
                index[hash] = next[slot];
            }
            else
            {
                index.Remove(hash);
            }
        }
        else
        {
            int before = first;
            while (next[before] != slot)
            {
                before = next[before];
            }

            next[before] = next[slot];
        }

        _active[slot] = false;
        _free.Push(slot);
        Count--;
    }

    /// <summary>
    /// Drops the index that finds duplicates by content (about 28 bytes a point): for a store that will not change
    /// again. <see cref="Find"/>, <see cref="Add"/> and <see cref="Remove"/> refuse afterwards.
    /// </summary>
    public void DropContentIndex()
    {
        _firstByContentHash = null;
        _nextSameHash = null;
    }

    private Dictionary<int, int> ContentIndex => _firstByContentHash ?? throw Frozen();

    private int[] Chains => _nextSameHash ?? throw Frozen();

    private static InvalidOperationException Frozen() => new("the store is frozen: its content index was dropped (DropContentIndex)");

    public IEnumerable<int> ActiveSlots()
    {
        for (int s = 0; s < HighWater; s++)
        {
            if (_active[s])
            {
                yield return s;
            }
        }
    }

    private int ContentHash(ReadOnlySpan<T> vector)
    {
        var h = new HashCode();
        h.AddBytes(MemoryMarshal.AsBytes(vector));
        return h.ToHashCode() & _hashMask;
    }

    /// <summary>Makes room for at least <paramref name="capacity"/> points at once (one resize instead of several).</summary>
    public void Reserve(int capacity)
    {
        if (capacity > Capacity)
        {
            Resize(capacity);
        }
    }

    private void Grow() => Resize(Capacity < _maxCapacity ? (int)Math.Min((long)Capacity * 2, _maxCapacity) : checked(Capacity * 2));

    private void Resize(int newCapacity)
    {
        Array.Resize(ref _data, checked(newCapacity * Dimension));
        Array.Resize(ref _sqNorms, newCapacity);
        Array.Resize(ref _active, newCapacity);
        if (_nextSameHash is not null)
        {
            Array.Resize(ref _nextSameHash, newCapacity);
        }
    }
}
