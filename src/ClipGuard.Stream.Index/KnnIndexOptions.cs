using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Index;

/// <summary>Which backend to build and its tuning; bound from configuration and validated before any index exists.</summary>
public sealed class KnnIndexOptions
{
    public const int DefaultIvfProbes = 32;
    public const int DefaultHnswM = 32;
    public const int DefaultHnswEfConstruction = 64;
    public const int DefaultHnswEfSearch = 128;
    public const double DefaultHnswRebuildFraction = 0.2;

    /// <summary>FAISS's k-means needs at least this many training points per list to place centroids well.</summary>
    public const int IvfTrainingPointsPerList = 39;

    public KnnBackend Backend { get; set; } = KnnBackend.Exact;

    public int Dimension { get; set; } = 512;

    /// <summary>The units distances are reported in; vectors must already be in this metric's space.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Euclidean;

    /// <summary>Threads of the exact and USearch backends' searches and USearch's adds (0: one per core). FAISS uses OpenMP's default.</summary>
    public int Threads { get; set; }

    /// <summary>IVF lists; 0 picks about 4·√n from the first batch added (which trains the quantizer).</summary>
    public int IvfLists { get; set; }

    /// <summary>Lists scanned per query: the IVF recall/speed knob (FAISS IVF-flat and IvfSimd).</summary>
    public int IvfProbes { get; set; } = DefaultIvfProbes;

    /// <summary>HNSW links per node, FAISS's M and USearch's connectivity (memory and build time grow with it; recall too).</summary>
    public int HnswM { get; set; } = DefaultHnswM;

    /// <summary>Candidate list length while inserting (USearch: expansion_add).</summary>
    public int HnswEfConstruction { get; set; } = DefaultHnswEfConstruction;

    /// <summary>Candidate list length during search (USearch: expansion_search): the HNSW recall/speed knob.</summary>
    public int HnswEfSearch { get; set; } = DefaultHnswEfSearch;

    /// <summary>
    /// HNSW cannot delete: removed ids become tombstones that searches over-fetch past and filter out. When tombstones
    /// exceed this fraction of the stored vectors the graph is rebuilt from the live vectors.
    /// </summary>
    public double HnswRebuildFraction { get; set; } = DefaultHnswRebuildFraction;

    /// <summary>Element type USearch stores vectors in (float16 halves memory and bandwidth; distances then carry its rounding).</summary>
    public VectorStorage USearchStorage { get; set; } = VectorStorage.Float32;

    /// <summary>Throws with every violated bound named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Backend))
        {
            errors.Add($"Backend {Backend} is unknown");
        }

        if (!Enum.IsDefined(Metric))
        {
            errors.Add($"Metric {Metric} is unknown");
        }

        if (!Enum.IsDefined(USearchStorage))
        {
            errors.Add($"USearchStorage {USearchStorage} is unknown");
        }

        if (Dimension < 1)
        {
            errors.Add($"Dimension must be at least 1 (got {Dimension})");
        }

        if (Threads < 0)
        {
            errors.Add($"Threads must be non-negative (got {Threads})");
        }

        if (IvfLists < 0)
        {
            errors.Add($"IvfLists must be non-negative (got {IvfLists})");
        }

        if (IvfProbes < 1)
        {
            errors.Add($"IvfProbes must be at least 1 (got {IvfProbes})");
        }

        if (HnswM is < 2 or > 256)
        {
            errors.Add($"HnswM must be in [2, 256] (got {HnswM})");
        }

        if (HnswEfConstruction < 1 || HnswEfSearch < 1)
        {
            errors.Add($"HnswEfConstruction and HnswEfSearch must be at least 1 (got {HnswEfConstruction}, {HnswEfSearch})");
        }

        if (HnswRebuildFraction is <= 0 or > 1 || double.IsNaN(HnswRebuildFraction))
        {
            errors.Add($"HnswRebuildFraction must be in (0, 1] (got {HnswRebuildFraction})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid k-NN index options: " + string.Join("; ", errors));
        }
    }

    /// <summary>A private copy, so an index's settings cannot change under it through the caller's object.</summary>
    internal KnnIndexOptions Copy() => (KnnIndexOptions)MemberwiseClone();

    /// <summary>The list count for an IVF index first trained on <paramref name="trainingRows"/> vectors.</summary>
    public int IvfListsFor(int trainingRows) =>
        IvfLists > 0 ? IvfLists : Math.Max(1, Math.Min((int)(4 * Math.Sqrt(trainingRows)), trainingRows / IvfTrainingPointsPerList));
}
