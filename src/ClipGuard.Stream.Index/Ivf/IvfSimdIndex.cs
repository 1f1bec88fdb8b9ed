using System.Runtime.InteropServices;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Index.Ivf;

/// <summary>
/// Inverted lists scanned by the scoring core's exact SIMD kernel. The first Add trains the centroids
/// (<see cref="IvfTrainer"/>); every vector joins the list of its nearest centroid. A search finds each query's
/// <see cref="KnnIndexOptions.IvfProbes"/> nearest centroids, scans those lists exactly (queries grouped per list, so
/// the kernel sees blocks of queries, and lists run in parallel) and merges: results are exact search restricted to
/// the probed lists, with the canonical float64 distances. Removal frees the vector's slot in its list.
/// </summary>
internal sealed class IvfSimdIndex : IKnnIndex
{
    private readonly KnnIndexOptions _options;
    private readonly int _threads;
    private readonly Dictionary<long, (int List, int Slot)> _where = [];
    private IvfList[] _lists = [];
    private VectorStore<float>? _centroids;
    private ExactKnn<float>? _centroidKnn;

    public IvfSimdIndex(KnnIndexOptions options)
    {
        _options = options.Copy();
        _threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
    }

    public KnnBackend Backend => KnnBackend.IvfSimd;

    public int Dimension => _options.Dimension;

    public int Count => _where.Count;

    /// <summary>Lists (0 until the first Add trains the index).</summary>
    public int Lists => _lists.Length;

    /// <summary>As FAISS defines it: n·Σ size² / (Σ size)²; 1 when every list holds as many vectors.</summary>
    public double Imbalance
    {
        get
        {
            double sum = 0, squares = 0;
            foreach (IvfList list in _lists)
            {
                sum += list.Count;
                squares += (double)list.Count * list.Count;
            }

            return sum == 0 ? double.NaN : _lists.Length * squares / (sum * sum);
        }
    }

    public static IvfSimdIndex Load(string path, KnnIndexOptions options) =>
        IndexFile.Read(path, options, (r, ids) =>
        {
            var index = new IvfSimdIndex(options);
            int lists = r.ReadInt32();
            long remaining = r.BaseStream.Length - r.BaseStream.Position;
            if (lists < 0 || (long)lists * options.Dimension * sizeof(float) > remaining)
            {
                throw new SnapshotCorruptException(path, $"implausible IVF list count {lists}");
            }

            if (lists == 0)
            {
                return ids.Length == 0 ? index : throw new SnapshotCorruptException(path, "an untrained IVF index holds vectors");
            }

            var centroids = new float[(long)lists * options.Dimension];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(centroids.AsSpan()));
            var counts = new int[lists];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(counts.AsSpan()));
            if (counts.Any(c => c < 0) || counts.Sum(c => (long)c) != ids.LongLength)
            {
                throw new SnapshotCorruptException(path, "IVF list sizes disagree with the id list");
            }

            index.SetCentroids(centroids, counts);
            var row = new float[options.Dimension];
            long next = 0;
            for (int l = 0; l < lists; l++)
            {
                for (int i = 0; i < counts[l]; i++, next++)
                {
                    r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(row.AsSpan()));
                    index._where[ids[next]] = (l, index._lists[l].Add(ids[next], row));
                }
            }

            return index;
        });

    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        IdChecks.ValidateAdd(ids, vectors, Dimension, _where.ContainsKey);
        if (ids.Length == 0)
        {
            return;
        }

        if (_centroidKnn is null)
        {
            int lists = _options.IvfListsFor(ids.Length);
            if (ids.Length < lists)
            {
                throw new KnnIndexException($"IVF with {lists} lists is trained by the first Add, which needs at least {lists} vectors (got {ids.Length})");
            }

            SetCentroids(IvfTrainer.Train(vectors, ids.Length, Dimension, lists, _threads, seed: 1234), counts: null);
        }

        Neighbor[][] nearest = _centroidKnn!.SearchQueries(vectors, 1, dropIdentical: false);
        var joining = new int[_lists.Length];
        foreach (Neighbor[] centroid in nearest)
        {
            joining[centroid[0].Slot]++;
        }

        for (int l = 0; l < joining.Length; l++)
        {
            // A list never filled yet is created at the size this batch gives it, not grown by doubling to it.
            if (joining[l] > 16 && _lists[l].Store.HighWater == 0)
            {
                _lists[l] = new IvfList(Dimension, _options.Metric, joining[l] + (joining[l] / 8));
            }
        }

        // Sequential: a copy of the batch for parallel workers would cost as much memory as the lists themselves.
        int d = Dimension;
        for (int i = 0; i < ids.Length; i++)
        {
            int l = nearest[i][0].Slot;
            _where[ids[i]] = (l, _lists[l].Add(ids[i], vectors.Slice(i * d, d)));
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        int removed = 0;
        foreach (long id in ids)
        {
            if (_where.Remove(id, out (int List, int Slot) at))
            {
                _lists[at.List].Store.Remove(at.Slot);
                removed++;
            }
        }

        return removed;
    }

    public KnnResult Search(ReadOnlySpan<float> queries, int k)
    {
        int n = IdChecks.ValidateSearch(queries, k, Dimension);
        var result = KnnResult.Empty(n, k);
        if (n == 0 || Count == 0)
        {
            return result;
        }

        int probes = Math.Min(_options.IvfProbes, _lists.Length);
        Neighbor[][] probed = _centroidKnn!.SearchQueries(queries, probes, dropIdentical: false);
        var askers = new List<(int Query, int Probe)>[_lists.Length];
        for (int q = 0; q < n; q++)
        {
            for (int p = 0; p < probed[q].Length; p++)
            {
                int l = probed[q][p].Slot;
                if (_lists[l].Count > 0)
                {
                    (askers[l] ??= []).Add((q, p));
                }
            }
        }

        // found[q][p]: the exact neighbours of query q within its p-th probed list, as (id, distance).
        var found = new (long Id, double Distance)[n][][];
        for (int q = 0; q < n; q++)
        {
            found[q] = new (long, double)[probed[q].Length][];
        }

        float[] rows = queries.ToArray();
        int d = Dimension;
        Parallel.For(0, askers.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads }, l =>
        {
            if (askers[l] is not { } group)
            {
                return;
            }

            IvfList list = _lists[l];
            var block = new float[group.Count * d];
            for (int i = 0; i < group.Count; i++)
            {
                rows.AsSpan(group[i].Query * d, d).CopyTo(block.AsSpan(i * d, d));
            }

            Neighbor[][] hits = list.Knn.SearchQueries(block, k, dropIdentical: false);
            for (int i = 0; i < group.Count; i++)
            {
                found[group[i].Query][group[i].Probe] = Array.ConvertAll(hits[i], h => (list.IdOf(h.Slot), h.Distance));
            }
        });

        for (int q = 0; q < n; q++)
        {
            int j = 0;
            foreach ((long id, double distance) in found[q].Where(x => x is not null).SelectMany(x => x).OrderBy(x => x.Distance).ThenBy(x => x.Id).Take(k))
            {
                result.Ids[(q * k) + j] = id;
                result.Distances[(q * k) + j] = distance;
                j++;
            }
        }

        return result;
    }

    public void ApplySearchOptions(KnnIndexOptions options)
    {
        IdChecks.ValidateTuning(options, Backend, Dimension);

        _options.IvfProbes = options.IvfProbes;
    }

    public void Save(string path)
    {
        // Ids in list order, so the payload's vectors follow them list by list.
        var ids = new List<long>(Count);
        foreach (IvfList list in _lists)
        {
            foreach (int slot in list.Store.ActiveSlots())
            {
                ids.Add(list.IdOf(slot));
            }
        }

        IndexFile.Write(path, Backend, Dimension, ids.ToArray(), w =>
        {
            w.Write(_lists.Length);
            if (_centroids is null)
            {
                return;
            }

            for (int l = 0; l < _lists.Length; l++)
            {
                w.Write(MemoryMarshal.AsBytes(_centroids.Row(l)));
            }

            foreach (IvfList list in _lists)
            {
                w.Write(list.Count);
            }

            foreach (IvfList list in _lists)
            {
                foreach (int slot in list.Store.ActiveSlots())
                {
                    w.Write(MemoryMarshal.AsBytes(list.Store.Row(slot)));
                }
            }
        });
    }

    public void Dispose()
    {
        // Managed memory only.
    }

    /// <summary>Installs trained centroids and empty lists, sized for <paramref name="counts"/> when known.</summary>
    private void SetCentroids(float[] centroids, int[]? counts)
    {
        int lists = centroids.Length / Dimension;
        _centroids = new VectorStore<float>(Dimension, lists);
        for (int l = 0; l < lists; l++)
        {
            _centroids.Add(centroids.AsSpan(l * Dimension, Dimension));
        }

        _centroidKnn = new ExactKnn<float>(_centroids, _options.Metric, _threads);
        _lists = new IvfList[lists];
        for (int l = 0; l < lists; l++)
        {
            _lists[l] = new IvfList(Dimension, _options.Metric, counts?[l] ?? 16);
        }
    }
}
