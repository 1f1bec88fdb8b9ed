namespace ClipGuard.Stream.Index;

/// <summary>
/// A k-nearest-neighbour index over metric-space vectors (unit vectors for cosine, as <c>MetricSpace.Prepare</c> makes
/// them) addressed by caller-chosen 64-bit ids. Not thread-safe: the owner serialises calls.
/// </summary>
public interface IKnnIndex : IDisposable
{
    KnnBackend Backend { get; }

    int Dimension { get; }

    /// <summary>Live vectors (added and not removed).</summary>
    int Count { get; }

    /// <summary>Adds <c>ids.Length</c> vectors laid out row after row in <paramref name="vectors"/>. Ids must be new.</summary>
    void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors);

    /// <summary>Removes the given ids; ids not present are ignored. Returns how many were removed.</summary>
    int Remove(ReadOnlySpan<long> ids);

    /// <summary>The <paramref name="k"/> nearest live vectors of each query row, ascending by distance.</summary>
    KnnResult Search(ReadOnlySpan<float> queries, int k);

    /// <summary>
    /// Applies the search-time knobs of <paramref name="options"/> (IVF probes, HNSW efSearch) without a rebuild, so
    /// recall can be traded for speed at run time. Build-time settings and the backend must match; exact ignores it.
    /// </summary>
    void ApplySearchOptions(KnnIndexOptions options);

    /// <summary>Writes the index to <paramref name="path"/> atomically (a crash leaves the old file or the new one).</summary>
    void Save(string path);
}
