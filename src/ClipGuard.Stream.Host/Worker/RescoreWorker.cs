using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>
/// The periodic full re-score. One replica at a time (the Redis leader lock; a single process without Redis runs it
/// unlocked) repairs its reference exactly, evicts members that now score over the threshold (replicated: publishes
/// their tombstones and a recalibration to the reference log), recalibrates, reports the drift, and scores the newest quarantine records again to list the ones that would now pass (never released
/// automatically).
/// </summary>
internal sealed class RescoreWorker(
    StreamReady ready,
    IReferenceRescorer rescorer,
    IQuarantineLedger ledger,
    ClipGuardInstrumentation telemetry,
    IOptions<RescoreOptions> options,
    TimeProvider time,
    ILogger<RescoreWorker> log,
    LeaderLock? leaderLock = null) : BackgroundService
{
    private const string LockName = "rescore";
    private readonly string _holder = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan interval = options.Value.RescoreInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // Each wait is the interval ±25 % at random: replicas started together would otherwise tick in lock-step,
            // and the one whose tick always falls inside the other's re-score would never get the lock.
            await Task.Delay(Jittered(interval), time, stoppingToken).ConfigureAwait(false);
            try
            {
                await RunOnceAsync(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (LedgerUnavailableException e)
            {
                Log.RescoreSkipped(log, "Redis unavailable: " + e.Message);
            }
            catch (Confluent.Kafka.KafkaException e)
            {
                // The evictions did not all reach the reference log; the next re-score finds the same members again.
                Log.RescoreSkipped(log, "the reference log did not acknowledge the re-score's records: " + e.Error.Reason);
            }
        }
    }

    internal static TimeSpan Jittered(TimeSpan interval) => interval * (0.75 + (0.5 * Random.Shared.NextDouble()));

    /// <summary>One re-score, if this replica gets the lock. Returns null when another replica holds it.</summary>
    public async Task<RescoreReport?> RunOnceAsync(TimeSpan leaseTime, CancellationToken cancel)
    {
        StreamPipeline pipeline = await ready.Pipeline.WaitAsync(cancel).ConfigureAwait(false);
        StreamScorer scorer = pipeline.Scorer;
        if (scorer.Bootstrapping)
        {
            Log.RescoreSkipped(log, "the reference is still bootstrapping");
            return null;
        }

        LeaderLease? lease = null;
        if (leaderLock is not null)
        {
            lease = await leaderLock.TryAcquireAsync(LockName, _holder, leaseTime).ConfigureAwait(false);
            if (lease is null)
            {
                Log.RescoreSkipped(log, "another replica holds the re-score lock");
                return null;
            }
        }

        try
        {
            RescoreReport report = await pipeline.BetweenBatches.Run(() => rescorer.Rescore(scorer)).WaitAsync(cancel).ConfigureAwait(false);
            if (pipeline.Replicator is { } replicated)
            {
                // Replicated: the evictions and the recalibration reach every replica (this one too) through the log.
                replicated.PublishRescore(report.Evicted);
            }

            telemetry.ReportRescore(report);
            Log.Rescored(log, report.Drift.ToString(), report.Evicted.Count, report.ThresholdBefore, report.ThresholdAfter, report.ReferenceVersion, lease?.FencingToken ?? 0);
            await ListReleaseCandidatesAsync(pipeline, cancel).ConfigureAwait(false);
            return report;
        }
        finally
        {
            if (lease is not null)
            {
                await leaderLock!.ReleaseAsync(lease).ConfigureAwait(false);
            }
        }
    }

    private async Task ListReleaseCandidatesAsync(StreamPipeline pipeline, CancellationToken cancel)
    {
        int count = options.Value.RescoreQuarantineSample;
        if (count == 0)
        {
            return;
        }

        StreamScorer scorer = pipeline.Scorer;
        IReadOnlyList<QuarantineRecord> records = await ledger.ListAsync(QuarantineStatus.Quarantined, 0, Math.Min(count, 1000), null, cancel).ConfigureAwait(false);
        var samples = new List<StreamSample>(records.Count);
        foreach (QuarantineRecord r in records)
        {
            EnvelopeParseResult parsed = EnvelopeParser.Parse(r.Key ?? ReadOnlyMemory<byte>.Empty, r.Value, scorer.Dimension, int.MaxValue);
            if (parsed.Envelope is { Embedding: { } embedding } e)
            {
                samples.Add(new StreamSample(e.Id, e.Source, embedding));
            }
        }

        IReadOnlyList<(string Id, double Score, bool WouldPass)> rescored = await pipeline.BetweenBatches.Run(() => scorer.Rescore(samples)).WaitAsync(cancel).ConfigureAwait(false);
        var candidates = rescored.Where(r => r.WouldPass).Select(r => r.Id).ToList();
        Log.ReleaseCandidates(log, candidates.Count, rescored.Count, string.Join(", ", candidates.Take(20)));
    }
}
