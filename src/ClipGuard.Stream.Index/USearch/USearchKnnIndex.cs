using System.Collections.Concurrent;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Index.USearch;

/// <summary>
/// USearch's HNSW (Cloud.Unum.USearch's native library, SIMD chosen at run time for the CPU) over squared L2 on
/// metric-space vectors. Removal is native: a removed key leaves the search results at once and its graph node is
/// reused by a later add, so there are no tombstones to filter or rebuild for. Adds and searches are spread over
/// <see cref="KnnIndexOptions.Threads"/> threads, each holding one of USearch's per-thread search contexts.
/// </summary>
internal sealed class USearchKnnIndex : IKnnIndex
{
    private readonly KnnIndexOptions _options;
    private readonly int _threads;
    private readonly HashSet<long> _live = [];
    private readonly USearchIndexHandle _index;

    /// <summary>Removed nodes not yet reused by an add: they still count against the native capacity.</summary>
    private long _freeNodes;

    public USearchKnnIndex(KnnIndexOptions options)
        : this(options, USearchIndexHandle.Create(options.Dimension, options.USearchStorage, options.HnswM, options.HnswEfConstruction, options.HnswEfSearch))
    {
    }

    private USearchKnnIndex(KnnIndexOptions options, USearchIndexHandle index)
    {
        _options = options.Copy();
        _threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        _index = index;
        ApplySearchOptions(_options);
    }

    public KnnBackend Backend => KnnBackend.USearchHnsw;

    public int Dimension => _options.Dimension;

    public int Count => _live.Count;

    /// <summary>Vectors the native index holds (live ones; removed nodes are not counted).</summary>
    public long NativeCount
    {
        get
        {
            IntPtr error = IntPtr.Zero;
            long size = (long)USearchNative.Size(_index, ref error);
            USearchNative.Check(error, "size");
            return size;
        }
    }

    /// <summary>The SIMD code path USearch uses on this CPU (reported by benchmarks).</summary>
    public string Acceleration => USearchNative.Acceleration(_index);

    public static USearchKnnIndex Load(string path, KnnIndexOptions options) =>
        IndexFile.Read(path, options, (r, ids) =>
        {
            long freeNodes = r.ReadInt64();
            string temp = IndexFile.TempPath("usearch");
            USearchIndexHandle handle = USearchIndexHandle.Create(options.Dimension, options.USearchStorage, options.HnswM, options.HnswEfConstruction, options.HnswEfSearch);
            try
            {
                IndexFile.ReadBlob(r, temp);
                IntPtr error = IntPtr.Zero;
                USearchNative.Load(handle, temp, ref error);
                USearchNative.Check(error, $"load '{path}'");
                var index = new USearchKnnIndex(options, handle) { _freeNodes = freeNodes };
                index._live.UnionWith(ids);
                if (index.NativeCount != ids.LongLength || (int)USearchNative.Dimensions(handle, ref error) != options.Dimension)
                {
                    throw new KnnIndexException($"index file '{path}': the USearch index disagrees with the id list or the dimension");
                }

                return index;
            }
            catch
            {
                handle.Dispose();
                throw;
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

        Reserve(ids.Length);
        long[] keys = ids.ToArray();
        var added = new bool[keys.Length];
        var failures = new ConcurrentQueue<string>();
        fixed (float* x = vectors)
        {
            float* rows = x;
            int d = Dimension;
            Parallel.ForEach(Partitioner.Create(0, keys.Length, Math.Max(1, keys.Length / (_threads * 8))), Parallelism(), range =>
            {
                for (int i = range.Item1; i < range.Item2; i++)
                {
                    IntPtr error = IntPtr.Zero;
                    USearchNative.Add(_index, (ulong)keys[i], rows + ((long)i * d), USearchNative.ScalarF32, ref error);
                    if (error != IntPtr.Zero)
                    {
                        failures.Enqueue(System.Runtime.InteropServices.Marshal.PtrToStringUTF8(error) ?? "(no message)");
                        return;
                    }

                    added[i] = true;
                }
            });
        }

        // Whatever went in is live, so the index and its id list agree even when a batch fails part-way.
        int count = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (added[i])
            {
                _live.Add(keys[i]);
                count++;
            }
        }

        _freeNodes = Math.Max(0, _freeNodes - count);
        if (failures.TryPeek(out string? message))
        {
            throw new KnnIndexException($"USearch add failed after {count} of {keys.Length} vectors: {message}");
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        int removed = 0;
        foreach (long id in ids)
        {
            if (!_live.Contains(id))
            {
                continue;
            }

            IntPtr error = IntPtr.Zero;
            nuint n = USearchNative.Remove(_index, (ulong)id, ref error);
            USearchNative.Check(error, "remove");
            if (n != 1)
            {
                throw new KnnIndexException($"USearch remove found {n} entries for id {id}, which the index holds once");
            }

            _live.Remove(id);
            _freeNodes++;
            removed++;
        }

        return removed;
    }

    public unsafe KnnResult Search(ReadOnlySpan<float> queries, int k)
    {
        int n = IdChecks.ValidateSearch(queries, k, Dimension);
        var result = KnnResult.Empty(n, k);
        if (n == 0 || Count == 0)
        {
            return result;
        }

        var keys = new ulong[(long)n * k];
        var squared = new float[(long)n * k];
        var found = new int[n];
        var failures = new ConcurrentQueue<string>();
        fixed (float* x = queries)
        fixed (ulong* keyRows = keys)
        fixed (float* distanceRows = squared)
        {
            float* q = x;
            ulong* kr = keyRows;
            float* dr = distanceRows;
            int d = Dimension;
            Parallel.ForEach(Partitioner.Create(0, n, Math.Max(1, n / (_threads * 8))), Parallelism(), range =>
            {
                for (int i = range.Item1; i < range.Item2; i++)
                {
                    IntPtr error = IntPtr.Zero;
                    found[i] = (int)USearchNative.Search(_index, q + ((long)i * d), USearchNative.ScalarF32, (nuint)k, kr + ((long)i * k), dr + ((long)i * k), ref error);
                    if (error != IntPtr.Zero)
                    {
                        failures.Enqueue(System.Runtime.InteropServices.Marshal.PtrToStringUTF8(error) ?? "(no message)");
                        return;
                    }
                }
            });
        }

        if (failures.TryPeek(out string? message))
        {
            throw new KnnIndexException($"USearch search failed: {message}");
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < found[i]; j++)
            {
                long slot = ((long)i * k) + j;
                result.Ids[slot] = (long)keys[slot];
                // Float rounding can take a near-zero squared distance slightly negative.
                result.Distances[slot] = Distances.FromSquared(Math.Max(0, squared[slot]), _options.Metric);
            }
        }

        return result;
    }

    public void ApplySearchOptions(KnnIndexOptions options)
    {
        IdChecks.ValidateTuning(options, Backend, Dimension);

        _options.HnswEfSearch = options.HnswEfSearch;
        IntPtr error = IntPtr.Zero;
        USearchNative.ChangeExpansionSearch(_index, (nuint)_options.HnswEfSearch, ref error);
        USearchNative.Check(error, "change_expansion_search");
        SetThreadLimits();
    }

    public void Save(string path)
    {
        string temp = IndexFile.TempPath("usearch");
        try
        {
            IntPtr error = IntPtr.Zero;
            USearchNative.Save(_index, temp, ref error);
            USearchNative.Check(error, $"save '{temp}'");
            IndexFile.Write(path, Backend, Dimension, [.. _live], w =>
            {
                w.Write(_freeNodes);
                IndexFile.WriteBlob(w, temp);
            });
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Dispose() => _index.Dispose();

    private ParallelOptions Parallelism() => new() { MaxDegreeOfParallelism = _threads };

    /// <summary>
    /// Makes room for <paramref name="rows"/> more vectors. Adds reuse removed nodes first, so live + free + rows is
    /// enough; capacity at least doubles so that one-at-a-time adds do not reallocate each time.
    /// </summary>
    private void Reserve(int rows)
    {
        IntPtr error = IntPtr.Zero;
        long capacity = (long)USearchNative.Capacity(_index, ref error);
        USearchNative.Check(error, "capacity");
        long needed = _live.Count + _freeNodes + rows;
        if (needed <= capacity)
        {
            return;
        }

        USearchNative.Reserve(_index, (nuint)Math.Max(needed, Math.Min(2 * capacity, needed + (1L << 20))), ref error);
        USearchNative.Check(error, "reserve");
        // Reserving resets the per-thread contexts to one per core: set them back to ours.
        SetThreadLimits();
    }

    /// <summary>One native search/add context per worker thread: USearch must never have more callers than contexts.</summary>
    private void SetThreadLimits()
    {
        IntPtr error = IntPtr.Zero;
        USearchNative.ChangeThreadsAdd(_index, (nuint)_threads, ref error);
        USearchNative.Check(error, "change_threads_add");
        USearchNative.ChangeThreadsSearch(_index, (nuint)_threads, ref error);
        USearchNative.Check(error, "change_threads_search");
    }
}
