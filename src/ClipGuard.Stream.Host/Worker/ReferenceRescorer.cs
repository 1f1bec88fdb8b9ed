using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>Repairs the reference exactly, evicts members that now score over the threshold and recalibrates (<see cref="StreamScorer.Rescore()"/>).</summary>
internal sealed class ReferenceRescorer : IReferenceRescorer
{
    public RescoreReport Rescore(StreamScorer scorer) => scorer.Rescore();
}
