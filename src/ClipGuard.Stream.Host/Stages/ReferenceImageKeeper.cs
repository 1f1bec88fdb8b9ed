using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Kafka.Streaming;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Cleared samples are offered to the reference, so their images are kept (when configured) for a re-embedding
/// under a future checkpoint; now and then the images of samples that did not enter, or left, are deleted.
/// </summary>
internal sealed class ReferenceImageKeeper(ReferenceImageStore? images, StreamScorer scorer, TimeProvider time, ILogger log)
{
    /// <summary>Batches between two prunes of the reference image store.</summary>
    private const int PruneEveryBatches = 100;

    /// <summary>Images younger than this survive a prune: under replication a sample another replica cleared may not have reached this reference yet.</summary>
    private static readonly TimeSpan PruneGrace = TimeSpan.FromMinutes(10);

    private int _batchesSincePrune;

    public void Keep(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided)
    {
        if (images is null)
        {
            return;
        }

        foreach ((PendingMessage message, Verdict verdict) in decided)
        {
            if (verdict.Route == Route.Clean && message.Envelope?.Image is { } image)
            {
                images.Put(message.Sample.Id, image, message.Envelope.Caption);
            }
        }

        if (++_batchesSincePrune >= PruneEveryBatches)
        {
            _batchesSincePrune = 0;
            int removed = images.Prune([.. scorer.Reference.MemberIds.Concat(scorer.Reference.WaitingIds)], time.GetUtcNow().UtcDateTime - PruneGrace);
            Log.ReferenceImagesPruned(log, removed, images.Directory);
        }
    }
}
