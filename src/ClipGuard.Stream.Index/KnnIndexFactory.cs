using ClipGuard.Stream.Index.Exact;
using ClipGuard.Stream.Index.Faiss;
using ClipGuard.Stream.Index.Ivf;
using ClipGuard.Stream.Index.USearch;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Index;

/// <summary>Creates or loads the backend the options name; the only place that knows the concrete types.</summary>
public static class KnnIndexFactory
{
    public static IKnnIndex Create(KnnIndexOptions options, ILogger? logger = null)
    {
        options.Validate();
        return options.Backend switch
        {
            KnnBackend.Exact => new ExactIndex(options),
            KnnBackend.USearchHnsw => new USearchKnnIndex(options),
            KnnBackend.IvfSimd => new IvfSimdIndex(options),
            _ => new FaissKnnIndex(options, logger),
        };
    }

    /// <summary>Loads a file written by <see cref="IKnnIndex.Save"/>; throws SnapshotCorruptException for a damaged one.</summary>
    public static IKnnIndex Load(string path, KnnIndexOptions options, ILogger? logger = null)
    {
        options.Validate();
        return options.Backend switch
        {
            KnnBackend.Exact => ExactIndex.Load(path, options),
            KnnBackend.USearchHnsw => USearchKnnIndex.Load(path, options),
            KnnBackend.IvfSimd => IvfSimdIndex.Load(path, options),
            _ => FaissKnnIndex.Load(path, options, logger),
        };
    }
}
