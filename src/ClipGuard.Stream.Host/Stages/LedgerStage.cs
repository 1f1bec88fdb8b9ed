using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Record: writes quarantine records before anything is produced or committed. While the ledger is unreachable the
/// assigned partitions are paused (the group membership stays alive) and the write is retried.
/// </summary>
internal sealed class LedgerStage(IQuarantineLedger ledger, IStreamConsumer consumer, TimeSpan retryInterval, TimeProvider time, ILogger log)
{
    /// <summary>Records the batch's quarantined messages; false when it had none (nothing was written).</summary>
    public bool Record(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided, CancellationToken cancel)
    {
        var records = decided.Where(d => d.Verdict.Route == Route.Quarantine).Select(d => ToRecord(d.Message, d.Verdict)).ToList();
        if (records.Count == 0)
        {
            return false;
        }

        long start = time.GetTimestamp();
        List<TopicPartition>? paused = null;
        while (true)
        {
            try
            {
                ledger.RecordAsync(records, cancel).GetAwaiter().GetResult();
                if (paused is not null)
                {
                    consumer.Resume(paused);
                    Log.LedgerBack(log, time.GetElapsedTime(start).TotalSeconds);
                }

                return true;
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

    private QuarantineRecord ToRecord(PendingMessage p, Verdict v) => new()
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
        QuarantinedAt = time.GetUtcNow(),
        Source = p.Envelope?.Source,
        Caption = p.Envelope?.Caption,
        PValue = double.IsNaN(v.PValue) ? null : v.PValue,
        CalibrationVersion = double.IsNaN(v.PValue) ? null : v.CalibrationVersion,
        Campaign = v.CampaignId,
    };
}
