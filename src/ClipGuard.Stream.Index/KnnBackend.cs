namespace ClipGuard.Stream.Index;

/// <summary>Which k-NN implementation an <see cref="IKnnIndex"/> uses.</summary>
public enum KnnBackend
{
    /// <summary>The scoring core's blocked SIMD search: exact, canonical float64 distances, ties broken by id.</summary>
    Exact,

    /// <summary>FAISS brute force (IndexFlatL2 inside IndexIDMap2, so ids stay stable across removals).</summary>
    FaissFlat,

    /// <summary>FAISS inverted lists (IndexIVFFlat): trained on the first batch added; removal is native.</summary>
    FaissIvfFlat,

    /// <summary>FAISS HNSW (IndexHNSWFlat inside IndexIDMap2): cannot delete, so removal is by tombstone and rebuild.</summary>
    FaissHnsw,

    /// <summary>USearch HNSW (runtime SIMD dispatch, multi-threaded add and search): removal is native.</summary>
    USearchHnsw,

    /// <summary>Inverted lists (k-means++-seeded FAISS k-means) scanned by the scoring core's exact SIMD kernel.</summary>
    IvfSimd,
}
