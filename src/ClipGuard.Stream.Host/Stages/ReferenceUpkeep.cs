using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Kafka.Replication;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// The reference's life beside the stream, on the stream thread: the replicated log applied between batches, periodic
/// snapshots, and the digest replicas compare.
/// </summary>
internal sealed class ReferenceUpkeep(StreamScorer scorer, ReferenceReplicator? replicator, ReferenceSnapshotter? snapshots, ILogger log) : IDisposable
{
    private long _digestPosition = -1;

    /// <summary>The replicated reference log, when replicas share the reference (the full re-score publishes to it).</summary>
    public ReferenceReplicator? Replicator => replicator;

    /// <summary>The replicated log and snapshots change the reference while no input arrives: an idle poll must yield to them.</summary>
    public bool ChangesWhileIdle => replicator is not null || snapshots is not null;

    /// <summary>The replicated reference is brought up to the log's end before anything is scored.</summary>
    public void Start(CancellationToken cancel) => replicator?.Start(cancel);

    /// <summary>Applies what the replicated log received since the last call, without waiting.</summary>
    public void Poll() => replicator?.Poll();

    public void AfterBatch(bool idle)
    {
        snapshots?.MaybeSave(scorer.Reference);
        if (idle)
        {
            LogDigestIfChanged();
        }
    }

    /// <summary>A clean stop leaves a snapshot of exactly what was applied; a failure leaves the last periodic one.</summary>
    public void Stopped()
    {
        snapshots?.SaveNow(scorer.Reference);
        LogDigestIfChanged();
    }

    /// <summary>Snapshots the reference now (after a model swap: a restart must find the new space under the new label).</summary>
    public void SaveNow() => snapshots?.SaveNow(scorer.Reference);

    public void Dispose() => replicator?.Dispose();

    /// <summary>What replicas compare: the applied log position, version and a digest of the reference contents.</summary>
    private void LogDigestIfChanged()
    {
        if (replicator is null || scorer.Reference.LogPosition == _digestPosition)
        {
            return;
        }

        _digestPosition = scorer.Reference.LogPosition;
        Log.ReferenceDigest(log, scorer.Reference.LogPosition, scorer.Reference.Version, scorer.Reference.Count, scorer.Reference.WaitingInHoldBack, scorer.Reference.Digest());
    }
}
