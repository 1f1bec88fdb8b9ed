using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>
/// The consume → parse → decide → record → route → commit loop. Every consumed message is routed to exactly one output
/// topic before its offset moves: at-least-once stores offsets only after every output of the batch was
/// acknowledged; exactly-once commits outputs and offsets in one transaction. Samples held by the cold-start
/// bootstrap pin their partitions' offsets until they are routed.
/// </summary>
internal sealed class StreamProcessor : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly KafkaStreamOptions _kafka;
    private readonly StreamHostOptions _host;
    private readonly StreamScorer _scorer;
    private readonly IQuarantineLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ClipGuardInstrumentation _telemetry;
    private readonly ILogger _log;
    /// <summary>Batches between two prunes of the reference image store.</summary>
    private const int PruneEveryBatches = 100;

    /// <summary>Images younger than this survive a prune: under replication a sample another replica cleared may not have reached this reference yet.</summary>
    private static readonly TimeSpan PruneGrace = TimeSpan.FromMinutes(10);

    private readonly ReferenceImageStore? _referenceImages;
    private int _batchesSincePrune;
    private readonly StreamImageEmbedder? _embedder;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly List<PendingMessage> _held = [];
    private readonly List<ConsumeResult<byte[], byte[]>> _batch = [];
    private long _clean, _quarantined, _deadLetter;
    private long _lastProgress;
    private long _heldSince;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> _betweenBatches = new();
    private readonly ReferenceReplicator? _replicator;
    private readonly ReferenceSnapshotter? _snapshots;
    private long _digestPosition = -1;

    public StreamProcessor(KafkaStreamOptions kafka, StreamHostOptions host, StreamScorer scorer, IQuarantineLedger ledger, TimeProvider time, ClipGuardInstrumentation telemetry, ILogger<StreamProcessor> log, StreamImageEmbedder? embedder = null, ReferenceSnapshotter? snapshots = null, ReferenceImageStore? referenceImages = null)
    {
        _embedder = embedder;
        _referenceImages = referenceImages;
        _snapshots = snapshots;
        _replicator = host.Replicate ? new ReferenceReplicator(kafka, host, scorer, log) : null;
        _kafka = kafka;
        _host = host;
        _scorer = scorer;
        _ledger = ledger;
        _time = time;
        _telemetry = telemetry;
        _log = log;
        bool exactlyOnce = kafka.Delivery == DeliveryMode.ExactlyOnce;
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = kafka.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            IsolationLevel = IsolationLevel.ReadCommitted,
            SessionTimeoutMs = 10_000,
            MaxPartitionFetchBytes = Math.Max(1_048_576, kafka.MaxMessageBytes * 2),
            FetchMaxBytes = Math.Max(52_428_800, kafka.MaxMessageBytes * 2),
        };
        _consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig)
            .SetErrorHandler((_, e) => Log.KafkaError(_log, e.Code.ToString(), e.Reason))
            .SetPartitionsAssignedHandler((_, parts) => Log.PartitionsAssigned(_log, string.Join(", ", parts)))
            .SetPartitionsRevokedHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition).ToList()))
            .Build();
        var producerConfig = new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageMaxBytes = Math.Max(1_048_576, kafka.MaxMessageBytes * 2),
            TransactionalId = exactlyOnce ? kafka.TransactionalIdPrefix + Environment.MachineName + "-" + Environment.ProcessId : null,
        };
        _producer = new ProducerBuilder<byte[], byte[]>(producerConfig)
            .SetErrorHandler((_, e) => Log.KafkaError(_log, e.Code.ToString(), e.Reason))
            .Build();
    }

    public long Routed => Interlocked.Read(ref _clean) + Interlocked.Read(ref _quarantined) + Interlocked.Read(ref _deadLetter);

    /// <summary>The replicated reference log, when replicas share the reference (the full re-score publishes to it).</summary>
    public ReferenceReplicator? Replicator => _replicator;

    /// <summary>Runs until cancelled; returns after closing the consumer (leaving the group cleanly).</summary>
    public void Run(CancellationToken cancel)
    {
        if (_kafka.Delivery == DeliveryMode.ExactlyOnce)
        {
            _producer.InitTransactions(FlushTimeout);
        }

        bool stopped = false;
        try
        {
            // The replicated reference is brought up to the log's end before anything is scored.
            _replicator?.Start(cancel);
            _consumer.Subscribe(_kafka.InputTopic);
            Log.WorkerStarted(_log, _kafka.InputTopic, _kafka.GroupId, _kafka.Delivery.ToString(), _scorer.Dimension, _scorer.DetectorName, _scorer.Reference.Options.K);
            while (!cancel.IsCancellationRequested)
            {
                _replicator?.Poll();
                FillBatch(cancel);
                _telemetry.SampleLag(_consumer);
                if (_batch.Count > 0)
                {
                    ProcessBatch(cancel);
                }

                while (_betweenBatches.TryDequeue(out Action? work))
                {
                    work();
                }

                _snapshots?.MaybeSave(_scorer.Reference);
                if (_batch.Count == 0)
                {
                    LogDigestIfChanged();
                }
            }

            stopped = true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Shutting down: the current batch was not committed and will be consumed again.
            stopped = true;
        }
        finally
        {
            _consumer.Close();
            if (stopped)
            {
                // A clean stop leaves a snapshot of exactly what was applied; a failure leaves the last periodic one.
                _snapshots?.SaveNow(_scorer.Reference);
                LogDigestIfChanged();
            }
        }
    }

    /// <summary>What replicas compare: the applied log position, version and a digest of the reference contents.</summary>
    private void LogDigestIfChanged()
    {
        if (_replicator is null || _scorer.Reference.LogPosition == _digestPosition)
        {
            return;
        }

        _digestPosition = _scorer.Reference.LogPosition;
        Log.ReferenceDigest(_log, _scorer.Reference.LogPosition, _scorer.Reference.Version, _scorer.Reference.Count, _scorer.Reference.WaitingInHoldBack, _scorer.Reference.Digest());
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the stream thread between two batches: the reference set is not shared
    /// between threads, so periodic work (the full re-score) queues here instead of locking the hot path.
    /// </summary>
    public Task<T> RunBetweenBatches<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _betweenBatches.Enqueue(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose()
    {
        _consumer.Dispose();
        _producer.Dispose();
        _replicator?.Dispose();
    }

    /// <summary>Collects up to MaxBatchSize messages, waiting at most MaxBatchDelay after the first.</summary>
    private void FillBatch(CancellationToken cancel)
    {
        _batch.Clear();
        long deadline = 0;
        while (_batch.Count < _kafka.MaxBatchSize && !cancel.IsCancellationRequested)
        {
            TimeSpan wait = PollInterval;
            if (_batch.Count > 0)
            {
                TimeSpan remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                wait = remaining < PollInterval ? remaining : PollInterval;
            }

            ConsumeResult<byte[], byte[]>? cr = _consumer.Consume(wait);
            if (cr is null || cr.IsPartitionEOF)
            {
                // An idle stream still yields to queued between-batch work (the re-score), to the bootstrap timeout, and
                // to the replicated log and snapshots, which change the reference while no input arrives.
                if (_batch.Count == 0 && (!_betweenBatches.IsEmpty || BootstrapTimedOut() || _replicator is not null || _snapshots is not null))
                {
                    return;
                }

                continue;
            }

            if (_batch.Count == 0)
            {
                deadline = _time.GetTimestamp() + (long)(_kafka.MaxBatchDelay.TotalSeconds * _time.TimestampFrequency);
            }

            _batch.Add(cr);
        }
    }

    /// <summary>
    /// A stream quieter than the bootstrap size would otherwise hold its first samples forever: after the timeout,
    /// the bootstrap completes with what it has (as long as that is more than k samples).
    /// </summary>
    private bool BootstrapTimedOut()
    {
        if (!_scorer.Bootstrapping || _held.Count == 0 || _scorer.BufferedForBootstrap <= _scorer.Reference.Options.K
            || _time.GetElapsedTime(_heldSince) < _host.BootstrapTimeout)
        {
            return false;
        }

        IReadOnlyList<Verdict> verdicts = _scorer.CompleteBootstrap();
        Log.BootstrapComplete(_log, _scorer.Reference.Count, _scorer.Threshold);
        Deliver(Match(verdicts), CancellationToken.None);
        return true;
    }

    private void ProcessBatch(CancellationToken cancel)
    {
        using Activity? span = _telemetry.StartBatch(_batch);
        long stage = Stopwatch.GetTimestamp();
        var fresh = _batch.Select(Parse).ToList();
        EmbedImages(fresh, cancel);
        _telemetry.RecordStage(PipelineStages.Parse, stage);
        bool wasBootstrapping = _scorer.Bootstrapping;
        stage = Stopwatch.GetTimestamp();
        IReadOnlyList<Verdict> verdicts = _scorer.Decide(fresh.Select(p => p.Sample).ToList());
        _telemetry.RecordStage(PipelineStages.Score, stage);
        if (_held.Count == 0)
        {
            _heldSince = _time.GetTimestamp();
        }

        _held.AddRange(fresh);
        if (_scorer.Bootstrapping)
        {
            Log.Bootstrapping(_log, _scorer.BufferedForBootstrap, _scorer.BootstrapSize);
        }
        else if (wasBootstrapping)
        {
            Log.BootstrapComplete(_log, _scorer.Reference.Count, _scorer.Threshold);
        }

        Deliver(Match(verdicts), cancel);
    }

    private void Deliver(List<(PendingMessage Message, Verdict Verdict)> decided, CancellationToken cancel)
    {
        KeepReferenceImages(decided);
        RecordQuarantined(decided, cancel);
        Route(decided, _scorer.ReplicatedAdmission ? _scorer.DrainProposals() : []);
        _telemetry.RecordRouted(decided, _scorer);
        int clean = decided.Count(d => d.Verdict.Route == Core.Pipeline.Route.Clean);
        int quarantined = decided.Count(d => d.Verdict.Route == Core.Pipeline.Route.Quarantine);
        Interlocked.Add(ref _clean, clean);
        Interlocked.Add(ref _quarantined, quarantined);
        Interlocked.Add(ref _deadLetter, decided.Count - clean - quarantined);
        Log.BatchRouted(_log, decided.Count, clean, quarantined, decided.Count - clean - quarantined, _held.Count);
        if (Stopwatch.GetElapsedTime(_lastProgress) > TimeSpan.FromSeconds(10))
        {
            _lastProgress = Stopwatch.GetTimestamp();
            Log.Progress(_log, _clean, _quarantined, _deadLetter, _scorer.Reference.Count, _scorer.Reference.Version, _scorer.Threshold);
        }
    }

    /// <summary>
    /// Cleared samples are offered to the reference, so their images are kept (when configured) for a re-embedding
    /// under a future checkpoint; now and then the images of samples that did not enter, or left, are deleted.
    /// </summary>
    private void KeepReferenceImages(List<(PendingMessage Message, Verdict Verdict)> decided)
    {
        if (_referenceImages is null)
        {
            return;
        }

        foreach ((PendingMessage message, Verdict verdict) in decided)
        {
            if (verdict.Route == Core.Pipeline.Route.Clean && message.Envelope?.Image is { } image)
            {
                _referenceImages.Put(message.Sample.Id, image);
            }
        }

        if (++_batchesSincePrune >= PruneEveryBatches)
        {
            _batchesSincePrune = 0;
            int removed = _referenceImages.Prune(
                _scorer.Reference.MemberIds.Concat(_scorer.Reference.WaitingIds).ToList(), _time.GetUtcNow().UtcDateTime - PruneGrace);
            Log.ReferenceImagesPruned(_log, removed, _referenceImages.Directory);
        }
    }

    private PendingMessage Parse(ConsumeResult<byte[], byte[]> cr)
    {
        byte[] value = cr.Message.Value ?? [];
        EnvelopeParseResult parsed = EnvelopeParser.Parse(cr.Message.Key ?? ReadOnlyMemory<byte>.Empty, value, _scorer.Dimension, _kafka.MaxMessageBytes);
        if (parsed.Envelope is { } e)
        {
            if (e.Embedding is null && _embedder is not null)
            {
                // Embedded below, with the rest of the batch's images (EmbedImages).
                return new PendingMessage(cr, new StreamSample(e.Id, e.Source, null), e);
            }

            if (e.Embedding is null)
            {
                return new PendingMessage(cr, StreamSample.Rejected(e.Id, "embedding_required", "the message has an image but no embedding, and this deployment has no image embedder configured"), e);
            }

            return new PendingMessage(cr, new StreamSample(e.Id, e.Source, e.Embedding), e);
        }

        EnvelopeRejection r = parsed.Rejection!;
        return new PendingMessage(cr, StreamSample.Rejected(r.Id ?? FallbackId(cr), r.Code, r.Message), null);
    }

    /// <summary>
    /// Embeds every image-only message of the batch at once (so the pipeline's micro-batches fill): decoded on its bounded
    /// pool, embedded in micro-batches. A rejected image becomes a dead letter with its <c>image_*</c> code; a model
    /// failure throws out of the batch before anything is routed or committed, so the batch is consumed again.
    /// </summary>
    private void EmbedImages(List<PendingMessage> fresh, CancellationToken cancel)
    {
        if (_embedder is null)
        {
            return;
        }

        var waiting = new List<(int Index, Task<ImageEmbeddingResult> Result)>();
        for (int i = 0; i < fresh.Count; i++)
        {
            PendingMessage p = fresh[i];
            if (p.Sample.Embedding is null && p.Sample.RejectCode is null && p.Envelope?.Image is { } image)
            {
                waiting.Add((i, _embedder.Pipeline.EmbedAsync(image, cancel)));
            }
        }

        if (waiting.Count == 0)
        {
            return;
        }

        Task.WhenAll(waiting.Select(w => w.Result)).GetAwaiter().GetResult();
        foreach ((int index, Task<ImageEmbeddingResult> task) in waiting)
        {
            PendingMessage p = fresh[index];
            ImageEmbeddingResult r = task.Result;
            fresh[index] = r.Embedding is { } embedding
                ? p with { Sample = p.Sample with { Embedding = embedding } }
                : p with { Sample = StreamSample.Rejected(p.Sample.Id, r.ReasonCode!, $"the image was rejected: {r.Detail}") };
        }
    }

    /// <summary>An invalid message without a readable id is known by its key, or by its position.</summary>
    private static string FallbackId(ConsumeResult<byte[], byte[]> cr)
    {
        if (cr.Message.Key is { Length: > 0 } key)
        {
            try
            {
                return new UTF8Encoding(false, true).GetString(key);
            }
            catch (DecoderFallbackException)
            {
                // Not text: fall through to the position.
            }
        }

        return $"{cr.Topic}/{cr.Partition.Value}/{cr.Offset.Value}";
    }

    /// <summary>Pairs verdicts with the held messages they belong to (by id, first come first served).</summary>
    private List<(PendingMessage, Verdict)> Match(IReadOnlyList<Verdict> verdicts)
    {
        var waiting = new Dictionary<string, Queue<PendingMessage>>();
        foreach (PendingMessage p in _held)
        {
            if (!waiting.TryGetValue(p.Sample.Id, out Queue<PendingMessage>? q))
            {
                q = new Queue<PendingMessage>();
                waiting[p.Sample.Id] = q;
            }

            q.Enqueue(p);
        }

        var decided = new List<(PendingMessage, Verdict)>(verdicts.Count);
        var routed = new HashSet<PendingMessage>(ReferenceEqualityComparer.Instance);
        foreach (Verdict v in verdicts)
        {
            // A verdict for a message whose partition was revoked meanwhile has nothing left to route.
            if (waiting.TryGetValue(v.SampleId, out Queue<PendingMessage>? q) && q.TryDequeue(out PendingMessage? p))
            {
                decided.Add((p, v));
                routed.Add(p);
            }
        }

        _held.RemoveAll(routed.Contains);
        return decided;
    }

    /// <summary>
    /// Writes quarantine records before anything is produced or committed. While the ledger is unreachable the
    /// assigned partitions are paused (the group membership stays alive) and the write is retried.
    /// </summary>
    private void RecordQuarantined(List<(PendingMessage Message, Verdict Verdict)> decided, CancellationToken cancel)
    {
        var records = decided.Where(d => d.Verdict.Route == Core.Pipeline.Route.Quarantine).Select(d => ToRecord(d.Message, d.Verdict)).ToList();
        if (records.Count == 0)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        List<TopicPartition>? paused = null;
        while (true)
        {
            try
            {
                _ledger.RecordAsync(records, cancel).GetAwaiter().GetResult();
                _telemetry.RecordStage(PipelineStages.Ledger, start);
                if (paused is not null)
                {
                    _consumer.Resume(paused);
                    Log.LedgerBack(_log, Stopwatch.GetElapsedTime(start).TotalSeconds);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever the ledger throws (an outage, or a reply Redis gives while it restarts), nothing has been
                // produced or committed yet: keep the partitions paused and retry rather than stop the service.
                if (paused is null)
                {
                    Log.LedgerUnavailable(_log, $"{e.GetType().Name}: {e.Message}");
                    paused = _consumer.Assignment.ToList();
                    _consumer.Pause(paused);
                }

                KeepMembershipAlive(cancel);
            }
        }
    }

    /// <summary>Polls the paused consumer for the retry interval; anything a new assignment delivers is rewound.</summary>
    private void KeepMembershipAlive(CancellationToken cancel)
    {
        long until = Stopwatch.GetTimestamp() + (long)(_host.LedgerRetryInterval.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            cancel.ThrowIfCancellationRequested();
            ConsumeResult<byte[], byte[]>? cr = _consumer.Consume(PollInterval);
            if (cr is not null && !cr.IsPartitionEOF)
            {
                _consumer.Seek(cr.TopicPartitionOffset);
                _consumer.Pause([cr.TopicPartition]);
            }
        }
    }

    private static QuarantineRecord ToRecord(PendingMessage p, Verdict v) => new()
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
        QuarantinedAt = DateTimeOffset.UtcNow,
        Source = p.Envelope?.Source,
        Caption = p.Envelope?.Caption,
    };

    private void Route(List<(PendingMessage Message, Verdict Verdict)> decided, IReadOnlyList<StreamSample> proposals)
    {
        bool exactlyOnce = _kafka.Delivery == DeliveryMode.ExactlyOnce;
        Dictionary<TopicPartition, Offset> offsets = CommittableOffsets(decided);
        if (exactlyOnce)
        {
            _producer.BeginTransaction();
        }

        try
        {
            long stage = Stopwatch.GetTimestamp();
            var failures = new List<string>();
            foreach ((PendingMessage p, Verdict v) in decided)
            {
                ConsumeResult<byte[], byte[]> cr = p.Message;
                var message = new Message<byte[], byte[]>
                {
                    Key = cr.Message.Key,
                    Value = cr.Message.Value,
                    Headers = VerdictHeaders.Build(v, cr.Message.Headers, cr.Topic, cr.Partition.Value, cr.Offset.Value),
                };
                string topic = TopicFor(v.Route);
                using Activity? span = _telemetry.StartRoute(cr, v, topic);
                KafkaTraceContext.Inject(span, message.Headers);
                _producer.Produce(topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        lock (failures)
                        {
                            failures.Add($"{report.Error.Code}: {report.Error.Reason}");
                        }
                    }
                });
            }

            // Offers of this batch's clean samples are acknowledged before its inputs are committed: a crash in
            // between repeats the batch (and the offers, which the admission rule ignores when already known).
            _replicator?.Propose(proposals);
            if (exactlyOnce)
            {
                _replicator?.AwaitDelivery();
                _telemetry.RecordStage(PipelineStages.Produce, stage);
                stage = Stopwatch.GetTimestamp();
                if (offsets.Count > 0)
                {
                    _producer.SendOffsetsToTransaction(offsets.Select(o => new TopicPartitionOffset(o.Key, o.Value)), _consumer.ConsumerGroupMetadata, FlushTimeout);
                }

                _producer.CommitTransaction(FlushTimeout);
                _telemetry.RecordStage(PipelineStages.Commit, stage);
                return;
            }

            // At-least-once: nothing is acknowledged upstream until every output is acknowledged downstream.
            while (_producer.Flush(FlushTimeout) > 0)
            {
            }

            if (failures.Count > 0)
            {
                throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{failures.Count} outputs were not delivered: {failures[0]}"));
            }

            _replicator?.AwaitDelivery();

            _telemetry.RecordStage(PipelineStages.Produce, stage);
            stage = Stopwatch.GetTimestamp();

            if (offsets.Count > 0)
            {
                HashSet<TopicPartition> assigned = [.. _consumer.Assignment];
                var mine = offsets.Where(o => assigned.Contains(o.Key)).Select(o => new TopicPartitionOffset(o.Key, o.Value)).ToList();
                if (mine.Count > 0)
                {
                    try
                    {
                        _consumer.Commit(mine);
                    }
                    catch (KafkaException e) when (e.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration
                        or ErrorCode.UnknownMemberId or ErrorCode.Local_State or ErrorCode.Local_NoOffset)
                    {
                        // The group is rebalancing: these partitions may belong to another member by now. The outputs
                        // are acknowledged, so nothing is lost; the next owner consumes from the last commit and
                        // repeats some outputs, which at-least-once allows (consumers deduplicate by key).
                        Log.CommitSkipped(_log, e.Error.Code.ToString(), e.Error.Reason);
                    }
                }
            }

            _telemetry.RecordStage(PipelineStages.Commit, stage);
        }
        catch (KafkaException e) when (exactlyOnce)
        {
            Log.TransactionAborted(_log, e.Error.Reason);
            _producer.AbortTransaction(FlushTimeout);
            throw;
        }
    }

    /// <summary>
    /// Per partition, the offset after the last routed message, but never past a message still held for the
    /// bootstrap: a restart must see every sample that was not yet routed.
    /// </summary>
    private Dictionary<TopicPartition, Offset> CommittableOffsets(List<(PendingMessage Message, Verdict Verdict)> decided)
    {
        var next = new Dictionary<TopicPartition, long>();
        foreach ((PendingMessage p, _) in decided)
        {
            TopicPartition tp = p.Message.TopicPartition;
            long o = p.Message.Offset.Value + 1;
            next[tp] = next.TryGetValue(tp, out long cur) ? Math.Max(cur, o) : o;
        }

        foreach (PendingMessage h in _held)
        {
            if (next.TryGetValue(h.Message.TopicPartition, out long cur) && h.Message.Offset.Value < cur)
            {
                next[h.Message.TopicPartition] = h.Message.Offset.Value;
            }
        }

        return next.ToDictionary(kv => kv.Key, kv => new Offset(kv.Value));
    }

    private string TopicFor(Core.Pipeline.Route route) => route switch
    {
        Core.Pipeline.Route.Clean => _kafka.CleanTopic,
        Core.Pipeline.Route.Quarantine => _kafka.QuarantineTopic,
        _ => _kafka.DeadLetterTopic,
    };

    /// <summary>Messages of partitions this consumer no longer owns are dropped: the next owner reads them again.</summary>
    private void OnRevoked(List<TopicPartition> partitions)
    {
        Log.PartitionsRevoked(_log, string.Join(", ", partitions));
        var gone = new HashSet<TopicPartition>(partitions);
        _batch.RemoveAll(cr => gone.Contains(cr.TopicPartition));
        _held.RemoveAll(p => gone.Contains(p.Message.TopicPartition));
    }
}
