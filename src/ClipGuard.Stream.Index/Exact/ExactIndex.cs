using System.Runtime.InteropServices;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Index.Exact;

/// <summary>
/// The scoring core's exact search behind <see cref="IKnnIndex"/>: a <see cref="VectorStore{T}"/> of float32 rows and
/// <see cref="ExactKnn{T}"/>, so results equal a full scan with the canonical float64 distance. The reference answer
/// every approximate backend is measured against.
/// </summary>
internal sealed class ExactIndex : IKnnIndex
{
    private readonly KnnIndexOptions _options;
    private readonly VectorStore<float> _store;
    private readonly ExactKnn<float> _knn;
    private readonly Dictionary<long, int> _slotOfId = [];
    private long[] _idOfSlot = new long[1024];

    public ExactIndex(KnnIndexOptions options)
    {
        _options = options;
        _store = new VectorStore<float>(options.Dimension);
        _knn = new ExactKnn<float>(_store, options.Metric, options.Threads);
    }

    public KnnBackend Backend => KnnBackend.Exact;

    public int Dimension => _options.Dimension;

    public int Count => _slotOfId.Count;

    public static ExactIndex Load(string path, KnnIndexOptions options) =>
        IndexFile.Read(path, options, (r, ids) =>
        {
            var index = new ExactIndex(options);
            var vectors = new float[ids.LongLength * options.Dimension];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(vectors.AsSpan()));
            index.Add(ids, vectors);
            return index;
        });

    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        IdChecks.ValidateAdd(ids, vectors, Dimension, _slotOfId.ContainsKey);
        for (int i = 0; i < ids.Length; i++)
        {
            int slot = _store.Add(vectors.Slice(i * Dimension, Dimension));
            if (slot >= _idOfSlot.Length)
            {
                Array.Resize(ref _idOfSlot, Math.Max(slot + 1, _idOfSlot.Length * 2));
            }

            _idOfSlot[slot] = ids[i];
            _slotOfId[ids[i]] = slot;
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        int removed = 0;
        foreach (long id in ids)
        {
            if (_slotOfId.Remove(id, out int slot))
            {
                _store.Remove(slot);
                removed++;
            }
        }

        return removed;
    }

    public KnnResult Search(ReadOnlySpan<float> queries, int k)
    {
        int n = IdChecks.ValidateSearch(queries, k, Dimension);
        var result = KnnResult.Empty(n, k);
        (long[] ids, double[] distances) = (result.Ids, result.Distances);
        if (Count > 0 && n > 0)
        {
            Neighbor[][] found = _knn.SearchQueries(queries, k, dropIdentical: false);
            for (int q = 0; q < n; q++)
            {
                for (int j = 0; j < found[q].Length; j++)
                {
                    ids[(q * k) + j] = _idOfSlot[found[q][j].Slot];
                    distances[(q * k) + j] = found[q][j].Distance;
                }
            }
        }

        return result;
    }

    public void ApplySearchOptions(KnnIndexOptions options)
    {
        // Exact search has no recall knob.
    }

    public void Save(string path)
    {
        long[] ids = [.. _slotOfId.Keys];
        IndexFile.Write(path, Backend, Dimension, ids, w =>
        {
            foreach (long id in ids)
            {
                w.Write(MemoryMarshal.AsBytes(_store.Row(_slotOfId[id])));
            }
        });
    }

    public void Dispose()
    {
    }
}
