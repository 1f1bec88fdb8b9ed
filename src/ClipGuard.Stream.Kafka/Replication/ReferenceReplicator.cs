using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>
/// Keeps this replica's reference identical to every other replica's. The reference changes only by applying the
/// single-partition log <c>clipguard.reference</c> in offset order (offers, tombstones, recalibrations), on every
/// replica alike, with a deterministic rule (the reference set's admission); a replica publishes what it routed clean
/// as offers and never changes its reference directly. The log position applied is part of the reference state and of
/// its snapshots, so a restart replays from where its snapshot ends and must find every record from there on: a gap
/// (records compacted or deleted after that snapshot) stops the start with the reason instead of diverging.
/// Runs on the stream thread (the reference set is not shared between threads), except the publishing methods, which
/// only produce.
/// </summary>
/// <remarks>
/// Records go out through the service's shared idempotent producer, never the exactly-once stream producer: a
/// transactional producer may only produce inside its one open transaction, which belongs to the stream thread, while
/// the replicator also produces outside any batch (clean-up tombstones while polling, the re-score's records from the
/// re-score's thread).
/// </remarks>
internal sealed class ReferenceReplicator : IReferenceProposals, IDisposable
{
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private const int MaxRecordsPerPoll = 5_000;
    private readonly StreamScorer _scorer;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IConsumer<byte[], byte[]?> _consumer;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly TopicPartition _partition;
    private readonly List<string> _failures = [];

    /// <param name="producer">The service's shared producer: the replicator produces through it and does not dispose it.</param>
    public ReferenceReplicator(KafkaClientFactory clients, IProducer<byte[], byte[]> producer, ReplicationOptions options, StreamScorer scorer, TimeProvider time, ILogger log)
    {
        _scorer = scorer;
        _options = options;
        _time = time;
        _log = log;
        _producer = producer;
        _partition = new TopicPartition(options.ReferenceTopic, 0);
        Proposer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        _consumer = new ConsumerBuilder<byte[], byte[]?>(clients.ReferenceLogConsumer())
            .SetErrorHandler((_, e) => StreamingLog.KafkaError(_log, e.Code.ToString(), e.Reason)).Build();
    }

    /// <summary>Names this process in the offers it publishes (it tombstones what its own offers pushed out).</summary>
    public string Proposer { get; }

    public string Topic => _partition.Topic;

    /// <summary>
    /// Assigns the log from the reference's position and applies everything up to the current end before the stream
    /// routes anything, so the first verdicts already use the replicated reference.
    /// </summary>
    public void Start(CancellationToken cancel)
    {
        long from = _scorer.Reference.LogPosition;
        WatermarkOffsets marks = _consumer.QueryWatermarkOffsets(_partition, WatermarkTimeout);
        long low = marks.Low.Value, high = marks.High.Value;
        if (from < low)
        {
            throw new ReferenceLogGapException(
                $"the reference needs {Topic} from offset {from}, but the log now starts at {low}: records were deleted after the snapshot " +
                $"this replica restored. Restore a newer snapshot (any replica's is valid) or raise the topic's retention.");
        }

        if (from > high)
        {
            throw new ReferenceLogGapException(
                $"the reference has applied {Topic} up to offset {from}, but the log ends at {high}: the snapshot belongs to another topic or cluster");
        }

        ReplicationLog.ReplayStarting(_log, Topic, from, high);
        long start = _time.GetTimestamp();
        _consumer.Assign(new TopicPartitionOffset(_partition, new Offset(from)));
        while (_scorer.Reference.LogPosition < high)
        {
            cancel.ThrowIfCancellationRequested();
            if (_time.GetElapsedTime(start) > _options.ReplayTimeout)
            {
                throw new TimeoutException($"the reference log replay reached offset {_scorer.Reference.LogPosition} of {high} within {_options.ReplayTimeout}");
            }

            ConsumeResult<byte[], byte[]?>? cr = _consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (cr is { IsPartitionEOF: false })
            {
                Apply(cr);
            }
        }

        ReplicationLog.ReplayDone(_log, _scorer.Reference.LogPosition, _time.GetElapsedTime(start).TotalSeconds, _scorer.Reference.Version, _scorer.Reference.Count);
    }

    /// <summary>Applies what has arrived since the last call, without waiting. Returns how many records were applied.</summary>
    public int Poll()
    {
        int applied = 0;
        while (applied < MaxRecordsPerPoll)
        {
            ConsumeResult<byte[], byte[]?>? cr = _consumer.Consume(TimeSpan.Zero);
            if (cr is null || cr.IsPartitionEOF)
            {
                break;
            }

            Apply(cr);
            applied++;
        }

        return applied;
    }

    /// <summary>Publishes the samples routed clean as offers; <see cref="AwaitDelivery"/> must succeed before their inputs are committed.</summary>
    public void Propose(IReadOnlyList<StreamSample> cleared)
    {
        foreach (StreamSample s in cleared)
        {
            Produce(s.Id, ReferenceLogCodec.Offer(Proposer, s.Source, s.Embedding!), _failures);
        }
    }

    /// <summary>Waits until every record produced so far is acknowledged; throws when an offer was not.</summary>
    public void AwaitDelivery() => AwaitDelivery(_failures, "reference offers");

    /// <summary>A full re-score's outcome: one tombstone per member to evict, then a recalibration, applied by every replica.</summary>
    public void PublishRescore(IReadOnlyList<string> evict)
    {
        // Its own failure list: the stream thread's offers and the re-score's records are acknowledged separately.
        var failures = new List<string>();
        foreach (string id in evict)
        {
            Produce(id, null, failures);
        }

        Produce(ReferenceLogCodec.RecalibrateKey, ReferenceLogCodec.Recalibrate(Proposer), failures);
        AwaitDelivery(failures, "re-score records");
        ReplicationLog.RescorePublished(_log, evict.Count, Topic);
    }

    public void Dispose()
    {
        // The shared producer is flushed and disposed with the service; the clean-up tombstones queued here go with it.
        _consumer.Close();
        _consumer.Dispose();
    }

    private void Apply(ConsumeResult<byte[], byte[]?> cr)
    {
        long offset = cr.Offset.Value;
        long expected = _scorer.Reference.LogPosition;
        if (offset < expected)
        {
            return;
        }

        if (offset > expected)
        {
            throw new ReferenceLogGapException(
                $"{Topic} jumped from offset {expected} to {offset}: records were compacted or deleted before this replica applied them, so it " +
                $"would no longer hold the same reference as the others. Restore a newer snapshot; on a real broker keep min.compaction.lag.ms " +
                $"above the snapshot interval.");
        }

        ReferenceLogRecord record;
        try
        {
            record = ReferenceLogCodec.Decode(cr.Message.Key ?? [], cr.Message.Value);
        }
        catch (FormatException e)
        {
            ReplicationLog.ReferenceRecordSkipped(_log, offset, e.Message);
            _scorer.ApplySkip(offset);
            return;
        }

        switch (record.Op)
        {
            case ReferenceLogOp.Offer:
                IReadOnlyList<string> gone = _scorer.ApplyOffer(record.SampleId, record.Source, record.Embedding!, offset);
                if (record.Proposer == Proposer)
                {
                    // Tombstones let compaction drop the vectors of samples that are no longer in the reference. Only
                    // the proposer sends them, so each is sent once; applying one changes nothing.
                    foreach (string id in gone)
                    {
                        Produce(id, null, failures: null);
                    }
                }

                break;
            case ReferenceLogOp.Revoke:
                _scorer.ApplyRevoke(record.SampleId, offset);
                break;
            case ReferenceLogOp.Recalibrate:
                _scorer.ApplyRecalibrate(offset);
                break;
            default:
                _scorer.ApplySkip(offset);
                break;
        }
    }

    private void AwaitDelivery(List<string> failures, string what)
    {
        while (_producer.Flush(FlushTimeout) > 0)
        {
        }

        lock (failures)
        {
            if (failures.Count > 0)
            {
                string first = failures[0];
                int count = failures.Count;
                failures.Clear();
                throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{count} {what} were not delivered: {first}"));
            }
        }
    }

    /// <summary>Produces one record; a failed delivery lands in <paramref name="failures"/>, or is only logged without one.</summary>
    private void Produce(string key, byte[]? value, List<string>? failures)
    {
        // A null value is a tombstone (the byte-array serializer passes null through).
        _producer.Produce(_partition, new Message<byte[], byte[]> { Key = ReferenceLogCodec.Key(key), Value = value! }, report =>
        {
            if (!report.Error.IsError)
            {
                return;
            }

            if (failures is null)
            {
                ReplicationLog.CleanupNotDelivered(_log, key, report.Error.Reason);
                return;
            }

            lock (failures)
            {
                failures.Add($"{report.Error.Code}: {report.Error.Reason}");
            }
        });
    }
}
