using System.Diagnostics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// The consume → parse → decode/embed → decide → record → route → commit loop. Every consumed message is routed to
/// exactly one output topic before its offset moves: at-least-once stores offsets only after every output of the batch
/// was acknowledged; exactly-once commits outputs and offsets in one transaction. Samples held by the cold-start
/// bootstrap pin their partitions' offsets until they are routed; revoked or lost partitions drop their held messages.
/// </summary>
internal sealed class StreamPipeline : IDisposable
{
    private readonly StreamStages _s;
    private readonly KafkaStreamOptions _kafka;
    private readonly ClipGuardInstrumentation _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly List<ConsumeResult<byte[], byte[]>> _batch = [];
    private readonly Func<long> _measureLag;

    public StreamPipeline(StreamStages stages, KafkaStreamOptions kafka, ClipGuardInstrumentation telemetry, TimeProvider time, ILogger log)
    {
        (_s, _kafka, _telemetry, _time, _log) = (stages, kafka, telemetry, time, log);
        _measureLag = _s.Consumer.MeasureLag;
        _s.Consumer.Revoked += partitions =>
        {
            // Messages of partitions this consumer no longer owns are dropped: the next owner reads them again.
            var gone = partitions.ToHashSet();
            _batch.RemoveAll(cr => gone.Contains(cr.TopicPartition));
            _s.Held.Revoke(partitions.ToList());
        };
    }

    /// <summary>The scorer the pipeline decides with (touched only on the stream thread, or through <see cref="BetweenBatches"/>).</summary>
    public StreamScorer Scorer => _s.Decide.Scorer;

    /// <summary>Work for the stream thread between two batches (the full re-score).</summary>
    public BetweenBatches BetweenBatches => _s.BetweenBatches;

    /// <summary>The replicated reference log, when replicas share the reference (the full re-score publishes to it).</summary>
    public ReferenceReplicator? Replicator => _s.Reference.Replicator;

    /// <summary>Runs until cancelled; returns after closing the consumer (leaving the group cleanly).</summary>
    public void Run(CancellationToken cancel)
    {
        _s.Route.Start();
        bool stopped = false;
        try
        {
            _s.Reference.Start(cancel);
            _s.Consumer.Subscribe(_kafka.InputTopic);
            StreamScorer scorer = _s.Decide.Scorer;
            Log.WorkerStarted(_log, _kafka.InputTopic, _kafka.GroupId, _kafka.Delivery.ToString(), scorer.Dimension, scorer.DetectorName, scorer.Reference.Options.K);
            while (!cancel.IsCancellationRequested)
            {
                _s.Reference.Poll();
                _s.Batches.Fill(_batch, YieldWhenIdle, cancel);
                _telemetry.SampleLag(_measureLag);
                if (_batch.Count > 0)
                {
                    ProcessBatch(cancel);
                }

                _s.BetweenBatches.RunQueued();
                _s.Campaigns?.RetryDue(cancel);
                _s.Reference.AfterBatch(idle: _batch.Count == 0);
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
            _s.Consumer.Close();
            if (stopped)
            {
                _s.Reference.Stopped();
            }
        }
    }

    /// <summary>
    /// Swaps in a new checkpoint on the stream thread, between two batches (docs/sentinel.md); the task completes with
    /// what the swap did, or fails with why (the stream then stays on its model). Null when this pipeline cannot swap
    /// (no sentinel directory, no model, or a replicated reference).
    /// </summary>
    public Task<ModelSwapOutcome>? SwapModel(StreamImageEmbedder next, int sentinelVersion, CancellationToken cancel) =>
        _s.Swap is { } swap ? _s.BetweenBatches.Run(() =>
        {
            ModelSwapOutcome outcome = swap.Swap(_s.Decide.Scorer, next, sentinelVersion, cancel);
            // The scorer forgot its suspects routed clean (a new space): none of the held ones can be revoked now.
            _s.Campaigns?.Forget();
            return outcome;
        }) : null;

    /// <summary>The window's judged sentinel version (null without a sentinel window).</summary>
    public int? JudgedVersion => _s.Window?.JudgedVersion;

    /// <summary>Judges the provisional window again under the model in use, on the stream thread (after a restart that interrupted a swap's recalls); null when this pipeline cannot.</summary>
    public Task<(int Judged, int Recalled)>? Rejudge(int sentinelVersion, CancellationToken cancel) =>
        _s.Swap is { } swap ? _s.BetweenBatches.Run(() => swap.Rejudge(_s.Decide.Scorer, sentinelVersion, cancel)) : null;

    /// <summary>Delivers recalls an earlier swap could not (a ledger or broker failure), on the stream thread; null when there are none.</summary>
    public Task<int>? RetryRecalls(CancellationToken cancel) =>
        _s.Swap is { Undelivered: > 0 } swap ? _s.BetweenBatches.Run(() => { swap.RetryRecalls(cancel); return swap.Undelivered; }) : null;

    public void Dispose()
    {
        _s.Window?.Dispose();
        _s.Consumer.Dispose();
        _s.Producer.Dispose();
        _s.Reference.Dispose();
    }

    private void ProcessBatch(CancellationToken cancel)
    {
        using Activity? span = _telemetry.StartBatch(_batch);
        long stage = _time.GetTimestamp();
        List<PendingMessage> fresh = _s.Parse.Parse(_batch);
        _s.Embed.Embed(fresh, cancel);
        _telemetry.RecordStage(PipelineStages.Parse, stage);
        stage = _time.GetTimestamp();
        ScorerWork before = _s.Decide.Scorer.Work;
        IReadOnlyList<Verdict> verdicts = _s.Decide.Decide(fresh);
        _telemetry.RecordStage(PipelineStages.Score, stage);
        _telemetry.RecordScoreParts(_s.Decide.Scorer.Work - before);
        // Revoked members were routed clean in earlier batches: recalled before this batch is recorded and routed.
        _s.Campaigns?.Recall(_s.Decide.DrainRevocations(), _s.Decide.Scorer.ModelVersion, cancel);
        _s.Held.Add(fresh);
        Deliver(_s.Held.Match(verdicts), cancel);
    }

    /// <summary>Record, route, commit: the ledger write happens before anything is produced or committed.</summary>
    private void Deliver(List<(PendingMessage Message, Verdict Verdict)> decided, CancellationToken cancel)
    {
        decided = _s.Ledger.Pin(decided, Repinned, cancel);
        _s.Images.Keep(decided);
        _s.Window?.Add(decided);
        if (_s.Decide.Scorer.Campaigns is not null)
        {
            // Only while the scorer tracks campaigns can a revocation come: held back (a trusted start below the
            // minimum) or not started, nothing needs holding.
            _s.Campaigns?.Remember(decided);
        }
        long stage = _time.GetTimestamp();
        if (_s.Ledger.Record(decided, cancel))
        {
            _telemetry.RecordStage(PipelineStages.Ledger, stage);
        }

        _s.Route.Route(decided, _s.Held.CommittableOffsets(decided), _s.Decide.DrainProposals());
        _telemetry.RecordRouted(decided, _s.Decide.Scorer);
        _s.Counters.Add(decided, _s.Held.Count);
    }

    /// <summary>A sample this replica cleared but whose first delivery was quarantined is taken back out of the reference's way.</summary>
    private void Repinned(Verdict verdict, Route route)
    {
        if (route == Route.Quarantine)
        {
            _s.Decide.Scorer.Withdraw(verdict.SampleId);
        }
    }

    /// <summary>An idle poll yields to queued between-batch work (the re-score), to the bootstrap timeout, and to the reference's upkeep.</summary>
    private bool YieldWhenIdle() => !_s.BetweenBatches.IsEmpty || BootstrapTimedOut() || _s.Reference.ChangesWhileIdle;

    private bool BootstrapTimedOut()
    {
        if (_s.Decide.CompleteBootstrapIfTimedOut(_s.Held) is not { } verdicts)
        {
            return false;
        }

        Deliver(_s.Held.Match(verdicts), CancellationToken.None);
        return true;
    }
}
