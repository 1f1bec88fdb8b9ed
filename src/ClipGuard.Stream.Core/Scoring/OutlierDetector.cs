namespace ClipGuard.Stream.Core.Scoring;

/// <summary>The local-outlier score a verdict is based on; higher is more suspicious for all four.</summary>
public enum OutlierDetector
{
    /// <summary>Distance to the k-th neighbour.</summary>
    KDist,

    /// <summary>Local outlier factor (Breunig et al. 2000).</summary>
    Lof,

    /// <summary>Simplified LOF: mean ratio of k-distances.</summary>
    Slof,

    /// <summary>Dimensionality-aware outlier score (Anderberg et al. 2024), published power form.</summary>
    Dao,
}
