using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Pin and record: pins every routed sample's route and writes quarantine records before anything is produced or
/// committed. While the ledger is unreachable the assigned partitions are paused (the group membership stays alive)
/// and the call is retried.
/// </summary>
internal sealed class LedgerStage(IQuarantineLedger ledger, IStreamConsumer consumer, TimeSpan retryInterval, TimeProvider time, ILogger log, TimeSpan routePinTtl = default)
{
    /// <summary>
    /// Pins each decided sample's route in the ledger before anything is produced (first delivery wins) and returns
    /// the batch routed by its pins: a message delivered again after a crash or a refused commit keeps the route its
    /// first delivery took, whichever replica processes it and however the reference changed. <paramref name="repinned"/>
    /// gets each sample whose verdict was overridden, with its new route. Dead letters are not pinned (their reason
    /// does not depend on the reference). Without a TTL (pinning off) the batch is returned as it is.
    /// </summary>
    public List<(PendingMessage Message, Verdict Verdict)> Pin(List<(PendingMessage Message, Verdict Verdict)> decided, Action<Verdict, Route> repinned, CancellationToken cancel)
    {
        if (routePinTtl <= TimeSpan.Zero)
        {
            return decided;
        }

        var claims = decided.Where(d => IsRouted(d.Verdict)).Select(d => (d.Verdict.SampleId, ToPin(d.Verdict.Route))).ToList();
        if (claims.Count == 0)
        {
            return decided;
        }

        IReadOnlyList<PinnedRoute> pinned = Retry(() => ledger.PinRoutesAsync(claims, routePinTtl, cancel), cancel);
        var result = new List<(PendingMessage Message, Verdict Verdict)>(decided.Count);
        int next = 0, overridden = 0;
        foreach ((PendingMessage message, Verdict v) in decided)
        {
            Route route = IsRouted(v) ? FromPin(pinned[next++]) : v.Route;
            if (route == v.Route)
            {
                result.Add((message, v));
                continue;
            }

            result.Add((message, v with { Route = route, Reason = $"pinned: routed {route} when first delivered (now scored {v.Route}: {v.Reason})" }));
            repinned(v, route);
            overridden++;
        }

        if (overridden > 0)
        {
            Log.RoutesPinned(log, overridden, claims.Count);
        }

        return result;
    }

    /// <summary>Records the batch's quarantined messages; false when it had none (nothing was written).</summary>
    public bool Record(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided, CancellationToken cancel)
    {
        var records = decided.Where(d => d.Verdict.Route == Route.Quarantine).Select(d => ToRecord(d.Message, d.Verdict, time.GetUtcNow())).ToList();
        if (records.Count == 0)
        {
            return false;
        }

        Retry(() => ledger.RecordAsync(records, cancel), cancel);
        return true;
    }

    /// <summary>Runs a ledger call until it succeeds; while it fails, the assigned partitions are paused and the group membership kept alive.</summary>
    private T Retry<T>(Func<Task<T>> call, CancellationToken cancel)
    {
        long start = time.GetTimestamp();
        List<TopicPartition>? paused = null;
        while (true)
        {
            try
            {
                T result = call().GetAwaiter().GetResult();
                if (paused is not null)
                {
                    consumer.Resume(paused);
                    Log.LedgerBack(log, time.GetElapsedTime(start).TotalSeconds);
                }

                return result;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever the ledger throws (an outage, or a reply Redis gives while it restarts), nothing has been
                // produced or committed yet: keep the partitions paused and retry rather than stop the service.
                if (paused is null)
                {
                    Log.LedgerUnavailable(log, $"{e.GetType().Name}: {e.Message}");
                    paused = [.. consumer.Assignment];
                    consumer.Pause(paused);
                }

                KeepMembershipAlive(cancel);
            }
        }
    }

    /// <summary>Polls the paused consumer for the retry interval; anything a new assignment delivers is rewound.</summary>
    private void KeepMembershipAlive(CancellationToken cancel)
    {
        long start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < retryInterval)
        {
            cancel.ThrowIfCancellationRequested();
            ConsumeResult<byte[], byte[]>? cr = consumer.Consume(BatchFiller.PollInterval);
            if (cr is not null && !cr.IsPartitionEOF)
            {
                consumer.Seek(cr.TopicPartitionOffset);
                consumer.Pause([cr.TopicPartition]);
            }
        }
    }

    /// <summary>The quarantine record of a routed message and its verdict (also what a campaign recall records, <see cref="CampaignRecallStage"/>).</summary>
    internal static QuarantineRecord ToRecord(PendingMessage p, Verdict v, DateTimeOffset at) => new()
    {
        Id = v.SampleId,
        Score = v.Score,
        Detector = v.Detector,
        K = v.K,
        ReferenceSize = v.ReferenceSize,
        ReferenceVersion = v.ReferenceVersion,
        ModelVersion = v.ModelVersion,
        Threshold = v.Threshold,
        NeighbourIds = v.NeighborIds,
        NeighbourDistances = v.NeighborDistances,
        SourceTopic = p.Message.Topic,
        SourcePartition = p.Message.Partition.Value,
        SourceOffset = p.Message.Offset.Value,
        Key = p.Message.Message.Key,
        Value = p.Message.Message.Value ?? [],
        Headers = p.Message.Message.Headers?.Select(h => new QuarantineHeader(h.Key, h.GetValueBytes())).ToList() ?? [],
        QuarantinedAt = at,
        Source = p.Envelope?.Source,
        Caption = p.Envelope?.Caption,
        PValue = double.IsNaN(v.PValue) ? null : v.PValue,
        CalibrationVersion = double.IsNaN(v.PValue) ? null : v.CalibrationVersion,
        Campaign = v.CampaignId,
    };

    private static bool IsRouted(Verdict v) => v.Route is Route.Clean or Route.Quarantine;

    private static PinnedRoute ToPin(Route route) => route == Route.Quarantine ? PinnedRoute.Quarantine : PinnedRoute.Clean;

    private static Route FromPin(PinnedRoute pin) => pin == PinnedRoute.Quarantine ? Route.Quarantine : Route.Clean;
}
