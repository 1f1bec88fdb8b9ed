using ClipGuard.Stream.Core.Knn;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Index.Faiss;

/// <summary>
/// FAISS flat, IVF-flat or HNSW through the native shim, always L2 on metric-space vectors (for unit vectors L2 orders
/// like cosine). Flat sits in IndexIDMap2 because its own remove_ids renumbers the survivors; IVF-flat keeps the ids it
/// is given and removes natively; HNSW cannot remove at all, so removed ids become tombstones that searches over-fetch
/// past and filter, and the graph is rebuilt from the live vectors once tombstones exceed
/// <see cref="KnnIndexOptions.HnswRebuildFraction"/> (or before a save, or when a tombstoned id is added again).
/// </summary>
internal sealed class FaissKnnIndex : IKnnIndex
{
    private readonly KnnIndexOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<long> _live = [];
    private readonly HashSet<long> _tombstones = [];
    private FaissIndexHandle? _index;

    public FaissKnnIndex(KnnIndexOptions options, ILogger? logger = null)
    {
        _options = options.Copy();
        _logger = logger ?? NullLogger.Instance;
        // IVF-flat is created on the first Add, which trains it (its list count may depend on that batch's size).
        if (options.Backend != KnnBackend.FaissIvfFlat)
        {
            _index = Create();
        }
    }

    private FaissKnnIndex(KnnIndexOptions options, ILogger? logger, FaissIndexHandle index, long[] liveIds)
    {
        _options = options.Copy();
        _logger = logger ?? NullLogger.Instance;
        _index = index;
        _live.UnionWith(liveIds);
        ApplySearchParameters(index);
    }

    public KnnBackend Backend => _options.Backend;

    public int Dimension => _options.Dimension;

    public int Count => _live.Count;

    /// <summary>Removed HNSW ids still in the graph (always 0 for flat and IVF).</summary>
    public int Tombstones => _tombstones.Count;

    /// <summary>Vectors the native index holds, tombstoned ones included.</summary>
    public long NativeTotal => _index is null ? 0 : FaissNative.IndexTotal(_index);

    /// <summary>IVF only: 1 when every list holds as many vectors, larger when queries must scan oversized lists.</summary>
    public double IvfImbalance => Backend == KnnBackend.FaissIvfFlat && _index is not null ? FaissNative.IndexIvfImbalance(_index) : double.NaN;

    public static FaissKnnIndex Load(string path, KnnIndexOptions options, ILogger? logger = null) =>
        IndexFile.Read(path, options, (r, ids) =>
        {
            string temp = IndexFile.TempPath("faiss");
            try
            {
                IndexFile.ReadBlob(r, temp);
                FaissNative.Check(FaissNative.ReadIndex(temp, 0, out IntPtr pointer), $"read_index '{path}'");
                var handle = new FaissIndexHandle(pointer);
                if (FaissNative.IndexTotal(handle) != ids.LongLength || FaissNative.IndexDimension(handle) != options.Dimension)
                {
                    handle.Dispose();
                    throw new KnnIndexException($"index file '{path}': the FAISS index disagrees with the id list");
                }

                return new FaissKnnIndex(options, logger, handle, ids);
            }
            finally
            {
                File.Delete(temp);
            }
        });

    public unsafe void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        IdChecks.ValidateAdd(ids, vectors, Dimension, _live.Contains);
        if (ids.Length == 0)
        {
            return;
        }

        foreach (long id in ids)
        {
            // The graph still maps a tombstoned id to its old vector: compact first so the id means one vector.
            if (_tombstones.Contains(id))
            {
                Rebuild("a removed id is added again");
                break;
            }
        }

        _index ??= CreateTrainedIvf(vectors, ids.Length);
        fixed (float* x = vectors)
        fixed (long* xids = ids)
        {
            FaissNative.Check(FaissNative.IndexAddWithIds(_index, ids.Length, x, xids), "add_with_ids");
        }

        foreach (long id in ids)
        {
            _live.Add(id);
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        var present = new List<long>(ids.Length);
        foreach (long id in ids)
        {
            if (_live.Remove(id))
            {
                present.Add(id);
            }
        }

        if (present.Count == 0 || _index is null)
        {
            return present.Count;
        }

        if (Backend == KnnBackend.FaissHnsw)
        {
            _tombstones.UnionWith(present);
            if (_tombstones.Count > _options.HnswRebuildFraction * NativeTotal)
            {
                Rebuild("tombstones exceed the rebuild fraction");
            }

            return present.Count;
        }

        using FaissSelectorHandle selector = FaissSelectorHandle.Create(present.ToArray());
        FaissNative.Check(FaissNative.IndexRemoveIds(_index, selector, out nuint removed), "remove_ids");
        if ((int)removed != present.Count)
        {
            throw new KnnIndexException($"FAISS remove_ids removed {removed} of {present.Count} ids the index held");
        }

        return present.Count;
    }

    public KnnResult Search(ReadOnlySpan<float> queries, int k)
    {
        int n = IdChecks.ValidateSearch(queries, k, Dimension);
        var result = KnnResult.Empty(n, k);
        (long[] ids, double[] distances) = (result.Ids, result.Distances);
        if (_index is null || n == 0 || Count == 0)
        {
            return result;
        }

        if (_tombstones.Count == 0)
        {
            RawSearch(queries, n, k, (q, rowIds, rowDistances) => Fill(q, k, rowIds, rowDistances, ids, distances));
            return result;
        }

        // Over-fetch past tombstones: first by a margin, then (for rows still short) by every tombstone. Even that can
        // come back short: on clustered data a cluster's layer-0 graph can be a component of its own, and when its
        // members are mostly tombstones the search cannot walk out of it. Those rows force a rebuild and a re-search.
        int want = Math.Min(k, Count);
        int fetch = Math.Min(k + Math.Max(k, _tombstones.Count / 8), k + _tombstones.Count);
        var pending = Enumerable.Range(0, n).ToList();
        while (pending.Count > 0)
        {
            float[] rows = Gather(queries, pending);
            var shortRows = new List<int>();
            List<int> current = pending;
            RawSearch(rows, current.Count, fetch, (i, rowIds, rowDistances) =>
            {
                if (Fill(current[i], k, rowIds, rowDistances, ids, distances) < want)
                {
                    shortRows.Add(current[i]);
                }
            });

            if (shortRows.Count == 0)
            {
                break;
            }

            if (fetch >= k + _tombstones.Count)
            {
                Rebuild("tombstones hide a query's whole neighbourhood");
                float[] retry = Gather(queries, shortRows);
                RawSearch(retry, shortRows.Count, k, (i, rowIds, rowDistances) => Fill(shortRows[i], k, rowIds, rowDistances, ids, distances));
                break;
            }

            pending = shortRows;
            fetch = k + _tombstones.Count;
        }

        return result;
    }

    public void ApplySearchOptions(KnnIndexOptions options)
    {
        IdChecks.ValidateTuning(options, Backend, Dimension);

        _options.IvfProbes = options.IvfProbes;
        _options.HnswEfSearch = options.HnswEfSearch;
        if (_index is not null)
        {
            ApplySearchParameters(_index);
        }
    }

    public void Save(string path)
    {
        if (_tombstones.Count > 0)
        {
            Rebuild("saving");
        }

        FaissIndexHandle index = _index ?? throw new KnnIndexException("an IVF-flat index is trained by its first Add; there is nothing to save yet");
        long[] ids = [.. _live];
        string temp = IndexFile.TempPath("faiss");
        try
        {
            FaissNative.Check(FaissNative.WriteIndex(index, temp), $"write_index '{temp}'");
            IndexFile.Write(path, Backend, Dimension, ids, w => IndexFile.WriteBlob(w, temp));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Dispose() => _index?.Dispose();

    /// <summary>Replaces the HNSW graph with one built from the live vectors only.</summary>
    internal unsafe void Rebuild(string reason)
    {
        FaissIndexHandle old = _index!;
        long[] ids = [.. _live];
        var vectors = new float[ids.LongLength * Dimension];
        fixed (float* v = vectors)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                FaissNative.Check(FaissNative.IndexReconstruct(old, ids[i], v + ((long)i * Dimension)), "reconstruct");
            }
        }

        Log.HnswRebuilding(_logger, ids.Length, _tombstones.Count, reason);
        FaissIndexHandle fresh = Create();
        try
        {
            fixed (float* x = vectors)
            fixed (long* xids = ids)
            {
                FaissNative.Check(FaissNative.IndexAddWithIds(fresh, ids.Length, x, xids), "add_with_ids (rebuild)");
            }
        }
        catch
        {
            fresh.Dispose();
            throw;
        }

        _index = fresh;
        _tombstones.Clear();
        old.Dispose();
    }

    private unsafe void RawSearch(ReadOnlySpan<float> rows, int n, int fetch, Action<int, ReadOnlySpan<long>, ReadOnlySpan<float>> row)
    {
        var labels = new long[(long)n * fetch];
        var squared = new float[(long)n * fetch];
        fixed (float* x = rows)
        fixed (float* d = squared)
        fixed (long* l = labels)
        {
            FaissNative.Check(FaissNative.IndexSearch(_index!, n, x, fetch, d, l), "search");
        }

        for (int q = 0; q < n; q++)
        {
            row(q, labels.AsSpan(q * fetch, fetch), squared.AsSpan(q * fetch, fetch));
        }
    }

    /// <summary>Writes one query's live results into the output row; returns how many it found.</summary>
    private int Fill(int q, int k, ReadOnlySpan<long> rowIds, ReadOnlySpan<float> rowSquared, long[] ids, double[] distances)
    {
        int j = 0;
        for (int i = 0; i < rowIds.Length && j < k; i++)
        {
            long id = rowIds[i];
            if (id < 0 || _tombstones.Contains(id))
            {
                continue;
            }

            ids[(q * k) + j] = id;
            // FAISS's float32 expansion can go slightly negative for near-identical vectors.
            distances[(q * k) + j] = Distances.FromSquared(Math.Max(0, rowSquared[i]), _options.Metric);
            j++;
        }

        return j;
    }

    private float[] Gather(ReadOnlySpan<float> queries, List<int> rows)
    {
        var gathered = new float[rows.Count * Dimension];
        for (int i = 0; i < rows.Count; i++)
        {
            queries.Slice(rows[i] * Dimension, Dimension).CopyTo(gathered.AsSpan(i * Dimension));
        }

        return gathered;
    }

    private FaissIndexHandle Create()
    {
        FaissIndexHandle inner;
        if (Backend == KnnBackend.FaissFlat)
        {
            FaissNative.Check(FaissNative.IndexFlatNew(out IntPtr flat, Dimension, FaissNative.MetricL2), "IndexFlat");
            inner = new FaissIndexHandle(flat);
        }
        else
        {
            FaissNative.Check(FaissNative.IndexHnswFlatNew(out IntPtr hnsw, Dimension, _options.HnswM, _options.HnswEfConstruction, FaissNative.MetricL2), "IndexHNSWFlat");
            inner = new FaissIndexHandle(hnsw);
        }

        using (inner)
        {
            FaissNative.Check(FaissNative.IndexIdMap2New(out IntPtr map, inner.DangerousGetHandle()), "IndexIDMap2");
            // The map now owns the inner index: hand the pointer over so only the map's handle ever frees it.
            FaissNative.IndexIdMap2SetOwnFields(map, 1);
            inner.SetHandleAsInvalid();
            var handle = new FaissIndexHandle(map);
            ApplySearchParameters(handle);
            return handle;
        }
    }

    private unsafe FaissIndexHandle CreateTrainedIvf(ReadOnlySpan<float> vectors, int rows)
    {
        int lists = _options.IvfListsFor(rows);
        if (rows < lists)
        {
            throw new KnnIndexException($"IVF-flat with {lists} lists is trained by the first Add, which needs at least {lists} vectors (got {rows})");
        }

        FaissNative.Check(FaissNative.IndexFlatNew(out IntPtr q, Dimension, FaissNative.MetricL2), "IndexFlat (quantizer)");
        using var quantizer = new FaissIndexHandle(q);
        FaissNative.Check(FaissNative.IndexIvfFlatNew(out IntPtr ivf, quantizer.DangerousGetHandle(), (nuint)Dimension, (nuint)lists, FaissNative.MetricL2), "IndexIVFFlat");
        FaissNative.IndexIvfSetOwnFields(ivf, 1);
        quantizer.SetHandleAsInvalid();
        var handle = new FaissIndexHandle(ivf);
        try
        {
            fixed (float* x = vectors)
            {
                FaissNative.Check(FaissNative.IndexTrain(handle, rows, x), "train");
            }

            ApplySearchParameters(handle);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private void ApplySearchParameters(FaissIndexHandle index)
    {
        if (Backend == KnnBackend.FaissIvfFlat)
        {
            FaissParameterSpaceHandle.Apply(index, "nprobe", _options.IvfProbes);
        }
        else if (Backend == KnnBackend.FaissHnsw)
        {
            FaissParameterSpaceHandle.Apply(index, "efSearch", _options.HnswEfSearch);
        }
    }
}
