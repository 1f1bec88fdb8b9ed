using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Campaign revocations become recalls (docs/sentinel.md, docs/detection.md): a suspect routed clean whose campaign is
/// confirmed later was already published to the clean topic, so it is recalled like a sample a sentinel model judged
/// poisoned: recorded in the ledger first (its original message, <see cref="QuarantineRecord.Campaign"/> and
/// <see cref="QuarantineRecord.RecalledFrom"/> set), then published to the recall topic. To have the message when the
/// revocation comes, the suspects routed clean are held (<see cref="CleanSuspects"/>, as many as the scorer remembers).
/// Recalls not delivered (a ledger or broker failure) stay queued and are retried between batches.
/// </summary>
internal sealed class CampaignRecallStage(
    CampaignOptions campaigns,
    RecallPublisher recalls,
    TimeSpan retryInterval,
    ClipGuardInstrumentation telemetry,
    TimeProvider time,
    ILogger log)
{
    private readonly CleanSuspects _suspects = new(campaigns.Window);
    private long _lastAttempt;

    /// <summary>Suspects routed clean and held for a possible recall.</summary>
    public CleanSuspects Suspects => _suspects;

    /// <summary>Recalls queued and not yet recorded and published.</summary>
    public int Undelivered => recalls.Undelivered;

    /// <summary>Holds the batch's suspects routed clean (after pinning: the route their clean copy took).</summary>
    public void Remember(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided)
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach ((PendingMessage message, Verdict verdict) in decided)
        {
            // The scorer's own test (StreamScorer.Confirm): a suspect by its fused p-value, routed clean, and (grouped
            // by caption only) with a caption embedding.
            if (verdict.Route == Route.Clean && verdict.PValue <= campaigns.SuspectLevel
                && (campaigns.Grouping != CampaignGrouping.Caption || message.Sample.TextEmbedding is not null))
            {
                _suspects.Add(LedgerStage.ToRecord(message, verdict, now), now);
            }
        }

        telemetry.ReportHeldSuspects(_suspects.Count, _suspects.ValueBytes);
    }

    /// <summary>Drops every held suspect (a model swap: the scorer forgot its own, none can be revoked now).</summary>
    public void Forget()
    {
        _suspects.Clear();
        telemetry.ReportHeldSuspects(0, 0);
    }

    /// <summary>Queues a recall per revocation whose message is held, then delivers (a failure keeps them queued).</summary>
    public void Recall(IReadOnlyList<Revocation> revocations, string model, CancellationToken cancel)
    {
        if (revocations.Count == 0)
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        var earliest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (Revocation r in revocations)
        {
            if (_suspects.Take(r.SampleId) is not { } held)
            {
                Log.CampaignRevocationNotRecalled(log, r.CampaignId, r.SampleId, _suspects.Count, campaigns.Window);
                telemetry.RecordRevocationRecalls(published: false);
                continue;
            }

            // RecalledFrom keeps its meaning (the model the clean verdict was given under); the campaign names why.
            QuarantineRecord record = held.Record with
            {
                ModelVersion = model,
                QuarantinedAt = now,
                Campaign = r.CampaignId,
                RecalledFrom = held.Record.ModelVersion,
            };
            recalls.Enqueue(record, new RecallMessage(
                r.SampleId, VerdictValues.Quarantine, model, 0, held.Record.ModelVersion, record.Score, record.PValue, r.CampaignId,
                record.SourceTopic, record.SourcePartition, record.SourceOffset, held.RoutedAt, now));
            telemetry.RecordRecall(0, r.CampaignId, now - held.RoutedAt);
            earliest[r.CampaignId] = earliest.TryGetValue(r.CampaignId, out DateTimeOffset e) && e < held.RoutedAt ? e : held.RoutedAt;
        }

        foreach ((string campaign, DateTimeOffset first) in earliest)
        {
            telemetry.RecordCampaignConfirmed(campaign, now - first, "stream");
        }

        telemetry.ReportHeldSuspects(_suspects.Count, _suspects.ValueBytes);
        TryDeliver(cancel);
    }

    /// <summary>Between batches: retries queued recalls once the retry interval has passed since the last attempt.</summary>
    public void RetryDue(CancellationToken cancel)
    {
        if (recalls.Undelivered > 0 && time.GetElapsedTime(_lastAttempt) >= retryInterval)
        {
            TryDeliver(cancel);
        }
    }

    private void TryDeliver(CancellationToken cancel)
    {
        _lastAttempt = time.GetTimestamp();
        try
        {
            if (recalls.Deliver(cancel) is > 0 and int delivered)
            {
                telemetry.RecordRevocationRecalls(published: true, delivered);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The stream goes on; the recalls stay queued and are retried between batches.
            Log.CampaignRecallsUndelivered(log, recalls.Undelivered, retryInterval.TotalSeconds, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
