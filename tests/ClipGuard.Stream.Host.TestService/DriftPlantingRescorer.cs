using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Worker;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.TestService;

/// <summary>
/// Just before this replica's first full re-score, overwrites one member's maintained k-distance, so that re-score
/// must find the drift and repair it; then re-scores like the service does.
/// </summary>
internal sealed class DriftPlantingRescorer(ILogger<DriftPlantingRescorer> log) : IReferenceRescorer
{
    private readonly ReferenceRescorer _inner = new();
    private bool _planted;

    public RescoreReport Rescore(StreamScorer scorer)
    {
        if (!_planted)
        {
            _planted = true;
            int slot = scorer.Reference.Model.Store.ActiveSlots().First();
            scorer.Reference.Model.CorruptForTest(slot, 1e6);
            Log.DriftPlanted(log, slot);
        }

        return _inner.Rescore(scorer);
    }
}
