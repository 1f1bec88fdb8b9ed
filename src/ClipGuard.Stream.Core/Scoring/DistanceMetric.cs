namespace ClipGuard.Stream.Core.Scoring;

/// <summary>The distance between two embeddings.</summary>
public enum DistanceMetric
{
    /// <summary>‖a − b‖₂.</summary>
    Euclidean,

    /// <summary>1 − cos(a, b), computed as ½‖â − b̂‖² on unit vectors so near neighbours keep their precision.</summary>
    Cosine,
}
