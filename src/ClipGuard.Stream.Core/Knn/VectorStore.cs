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
    private readonly Dictionary<int, List<int>> _byContentHash = [];
    private readonly Stack<int> _free = new();
    private T[] _data;
    private double[] _sqNorms;
    private bool[] _active;

    public VectorStore(int dimension, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        initialCapacity = Math.Max(initialCapacity, 16);
        _data = new T[(long)initialCapacity * dimension];
        _sqNorms = new double[initialCapacity];
        _active = new bool[initialCapacity];
    }

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
        if (!_byContentHash.TryGetValue(ContentHash(vector), out List<int>? slots))
        {
            return -1;
        }

        foreach (int slot in slots)
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
        if (!_byContentHash.TryGetValue(hash, out List<int>? bucket))
        {
            bucket = new List<int>(1);
            _byContentHash[hash] = bucket;
        }

        bucket.Add(slot);
        return slot;
    }

    public void Remove(int slot)
    {
        if (!IsActive(slot))
        {
            throw new ArgumentException($"slot {slot} is not occupied", nameof(slot));
        }

        int hash = ContentHash(Row(slot));
        List<int> bucket = _byContentHash[hash];
        bucket.Remove(slot);
        if (bucket.Count == 0)
        {
            _byContentHash.Remove(hash);
        }

        _active[slot] = false;
        _free.Push(slot);
        Count--;
    }

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

    private static int ContentHash(ReadOnlySpan<T> vector)
    {
        var h = new HashCode();
        h.AddBytes(MemoryMarshal.AsBytes(vector));
        return h.ToHashCode();
    }

    private void Grow()
    {
        int newCapacity = checked(Capacity * 2);
        Array.Resize(ref _data, checked(newCapacity * Dimension));
        Array.Resize(ref _sqNorms, newCapacity);
        Array.Resize(ref _active, newCapacity);
    }
}
