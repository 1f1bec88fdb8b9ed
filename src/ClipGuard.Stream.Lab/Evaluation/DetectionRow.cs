using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// One detector at one k in one mode: batch leave-one-out over a reference of <see cref="ReferenceSize"/>, batch
/// novelty of the streamed subset against the seed reference, or the stream itself (with its routing's precision
/// and recall).
/// </summary>
public sealed record DetectionRow(string Mode, int ReferenceSize, int Scored, int K, OutlierDetector Detector, DetectionReport Report)
{
    public const string BatchLeaveOneOut = "batch-loo";
    public const string BatchNovelty = "batch-novelty";
    public const string Streaming = "stream";

    /// <summary>Quarantined and poisoned / quarantined (streaming only; NaN when nothing was quarantined).</summary>
    public double? Precision { get; init; }

    /// <summary>Quarantined and poisoned / poisoned (streaming only).</summary>
    public double? Recall { get; init; }
}
