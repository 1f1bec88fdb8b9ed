using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>What one full re-score found and changed.</summary>
/// <param name="Drift">The incremental state against an exact recomputation, before the repair.</param>
/// <param name="Evicted">Members whose exact leave-one-out score was over the threshold, now out of the reference.</param>
/// <param name="ThresholdBefore">The threshold the stream was using.</param>
/// <param name="ThresholdAfter">The threshold recalibrated on the repaired reference.</param>
/// <param name="ReferenceVersion">The reference version after the re-score.</param>
/// <param name="Members">How many members the re-score judged (the reference before the evictions).</param>
public sealed record RescoreReport(DriftReport Drift, IReadOnlyList<string> Evicted, double ThresholdBefore, double ThresholdAfter, long ReferenceVersion, int Members)
{
    /// <summary>
    /// The share of the reference the re-score judged outliers and evicted: the service's own estimate of how far the
    /// reference was contaminated since the last re-score (exported as <c>clipguard.rescore.evicted_share</c>).
    /// </summary>
    public double EvictedShare => Members > 0 ? (double)Evicted.Count / Members : 0;
}
