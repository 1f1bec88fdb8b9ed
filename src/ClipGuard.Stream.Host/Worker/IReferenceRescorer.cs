using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>
/// The full re-score of the reference, run on the stream thread between batches (<see cref="RescoreWorker"/> decides
/// when and publishes the outcome). A service: a host may decorate it, as the re-score tests do to plant a drift.
/// </summary>
internal interface IReferenceRescorer
{
    RescoreReport Rescore(StreamScorer scorer);
}
