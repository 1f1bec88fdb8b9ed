using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Index.Ivf;

/// <summary>
/// One inverted list: its members' vectors stored contiguously in a <see cref="VectorStore{T}"/>, searched by the
/// scoring core's exact kernel (single-threaded: the index runs lists in parallel instead).
/// </summary>
internal sealed class IvfList
{
    private long[] _idOfSlot;

    public IvfList(int dimension, DistanceMetric metric, int capacity)
    {
        Store = new VectorStore<float>(dimension, capacity);
        Knn = new ExactKnn<float>(Store, metric, threads: 1);
        _idOfSlot = new long[Math.Max(16, capacity)];
    }

    public VectorStore<float> Store { get; }

    public ExactKnn<float> Knn { get; }

    public int Count => Store.Count;

    public long IdOf(int slot) => _idOfSlot[slot];

    public int Add(long id, ReadOnlySpan<float> vector)
    {
        int slot = Store.Add(vector);
        if (slot >= _idOfSlot.Length)
        {
            Array.Resize(ref _idOfSlot, Math.Max(slot + 1, _idOfSlot.Length * 2));
        }

        _idOfSlot[slot] = id;
        return slot;
    }
}
