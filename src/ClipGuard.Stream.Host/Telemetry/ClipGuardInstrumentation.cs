using System.Diagnostics;
using System.Diagnostics.Metrics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// The one owner of ClipGuard's <see cref="Meter"/> and <see cref="ActivitySource"/>. The stream loop calls it at
/// stage boundaries; everything it reports is copied into fields here, so exporters never touch the scorer or the
/// consumer from their own threads.
/// </summary>
internal sealed class ClipGuardInstrumentation : IRouteTelemetry, IDisposable
{
    public const string MeterName = "ClipGuard.Stream";
    public const string ActivitySourceName = "ClipGuard.Stream";
    private const int MaxBatchLinks = 128;

    /// <summary>Scores are positive and right-skewed: inliers near 1 for LOF and SLOF, spread over decades for k-distance
    /// and DAO (a DAO threshold in the thousands is normal). A 1-2-5 log ladder, finer around 1.</summary>
    private static readonly double[] ScoreBuckets =
        [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000];

    private static readonly int[] BatchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    /// <summary>100 µs (a parse of a small batch) to 30 s (a produce waiting out a broker hiccup).</summary>
    private static readonly double[] StageBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly HashSet<string> KnownReasons = [.. RejectionCodes.All, "embedding_required"];

    private readonly Meter _meter;
    private readonly ActivitySource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lagInterval;
    private readonly SourceTags _sources;
    private readonly Counter<long> _routed;
    private readonly Counter<long> _deadLetters;
    private readonly Histogram<double> _score;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _stage;
    private readonly Counter<long> _campaignMembers;
    private readonly Counter<long> _recalls;
    private readonly Counter<long> _revocationRecalls;
    private readonly Histogram<double> _recallDelay;
    private readonly Histogram<double> _campaignDelay;
    private readonly HashSet<string> _campaignsTimed = new(StringComparer.Ordinal);
    private readonly Histogram<double> _swapDuration;
    private (int Version, DateTimeOffset TrainedAt)? _sentinel;
    private int _sentinelVersion;
    private readonly object _gate = new();
    private ScorerState? _scorer;
    private long _heldSuspects = -1;
    private long _heldSuspectBytes;
    private DriftReport? _drift;
    private RescoreReport? _rescore;
    private long? _lag;
    private long _lagSampledAt;

    public ClipGuardInstrumentation(IMeterFactory meters, IOptions<TelemetryOptions> options, TimeProvider time)
    {
        string version = typeof(ClipGuardInstrumentation).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        _meter = meters.Create(MeterName, version);
        _source = new ActivitySource(ActivitySourceName, version);
        _time = time;
        _lagInterval = options.Value.LagInterval;
        _sources = new SourceTags(options.Value.MaxSources);
        _routed = _meter.CreateCounter<long>(MetricNames.SamplesRouted, "{sample}", "Samples routed, by route (clean, quarantine, deadletter) and source");
        _deadLetters = _meter.CreateCounter<long>(MetricNames.DeadLetters, "{sample}", "Samples dead-lettered, by reason code");
        _score = _meter.CreateHistogram(MetricNames.Score, unit: null, "Outlier score of each scored sample, by detector",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = ScoreBuckets });
        _batchSize = _meter.CreateHistogram(MetricNames.BatchSize, "{sample}", "Messages per consumed micro-batch",
            tags: null, new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _stage = _meter.CreateHistogram(MetricNames.StageDuration, "s", "Time spent per batch in each pipeline stage",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _meter.CreateObservableGauge(MetricNames.ReferenceSize, () => ObserveScorer(s => s.Size), "{sample}", "Members of the clean reference set");
        _meter.CreateObservableGauge(MetricNames.ReferenceVersion, () => ObserveScorer(s => s.Version), unit: null, "Reference set version (bumps on every admission or eviction)");
        _meter.CreateObservableGauge(MetricNames.Threshold, ObserveThreshold, unit: null, "Current decision threshold, by detector");
        _meter.CreateObservableGauge(MetricNames.RescoreDrift, ObserveDrift, unit: null, "Largest relative error of maintained scores against the last full re-score, by quantity");
        _meter.CreateObservableGauge(MetricNames.RescoreNeighbourMismatches, ObserveMismatches, "{sample}", "Reference members whose maintained k-NN differed from the last full re-score");
        _meter.CreateObservableGauge(MetricNames.ConsumerLag, ObserveLag, "{message}", "Messages behind the high watermark, summed over the assigned input partitions");
        _meter.CreateObservableGauge(MetricNames.RescoreEvicted, () => ObserveRescore(r => r.Evicted.Count), "{sample}", "Reference members the last full re-score judged outliers and evicted");
        _meter.CreateObservableGauge(MetricNames.RescoreEvictedShare, () => ObserveRescore(r => r.EvictedShare), unit: null, "Share of the reference the last full re-score evicted: its estimate of the reference's contamination");
        _meter.CreateObservableGauge(MetricNames.CalibrationSize, () => ObserveScorer(s => s.CalibrationSize), "{sample}", "Scores the conformal calibration holds (the smallest p-value is signals / (size + 1))");
        _meter.CreateObservableCounter(MetricNames.CampaignsConfirmed, () => ObserveScorer(s => s.Campaigns), "{campaign}", "Campaigns confirmed since the start");
        _meter.CreateObservableCounter(MetricNames.CampaignRevocations, () => ObserveScorer(s => s.Revoked), "{sample}", "Samples routed clean and later taken back by a confirmed campaign, since the start");
        _campaignMembers = _meter.CreateCounter<long>(MetricNames.CampaignMembers, "{sample}", "Samples routed as members of a confirmed campaign, by route");
        _meter.CreateObservableGauge(MetricNames.CampaignHeldSuspects, () => ObserveHeld(ref _heldSuspects), "{sample}", "Suspects routed clean whose messages are held for a campaign's recall (bounded by Campaigns:Window)");
        _meter.CreateObservableGauge(MetricNames.CampaignHeldSuspectBytes, () => ObserveHeld(ref _heldSuspectBytes), "By", "Bytes of the message values held for those suspects' recalls");
        _meter.CreateObservableGauge(MetricNames.SentinelVersion, () => Volatile.Read(ref _sentinelVersion), unit: null, "Sentinel checkpoint the stream embeds with (0: the configured model)");
        _meter.CreateObservableGauge(MetricNames.SentinelAge, ObserveSentinelAge, "s", "Time since the sentinel checkpoint in use was trained");
        _meter.CreateObservableGauge(MetricNames.ManagedHeap, () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "Managed heap after the last garbage collection, fragmentation included: what the reference, pool and batches hold; resident memory minus the committed bytes is native (Kafka client queues, libraries, code)");
        _meter.CreateObservableGauge(MetricNames.ManagedCommitted, () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By", "Memory the garbage collector has committed for the managed heap (live, garbage not yet collected and headroom)");
        _swapDuration = _meter.CreateHistogram(MetricNames.ModelSwapDuration, "s", "Time a model swap held the stream (re-embedding, re-score, re-judgement, recalls)",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });
        _recalls = _meter.CreateCounter<long>(MetricNames.Recalls, "{sample}", "Samples routed clean and recalled after a model swap, or revoked by a campaign confirmed later (sentinel version 0), by sentinel version and campaign");
        _revocationRecalls = _meter.CreateCounter<long>(MetricNames.CampaignRevocationRecalls, "{sample}", "Campaign revocations published as recalls (outcome published), or not deliverable because the message was no longer held (outcome evicted)");
        _recallDelay = _meter.CreateHistogram(MetricNames.RecallDelay, "s", "Time from a recalled sample's clean verdict to its recall",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] });
        _campaignDelay = _meter.CreateHistogram(MetricNames.CampaignConfirmationDelay, "s",
            "Time from a campaign's earliest known member (routed clean and held, or in a sentinel's judged window) to the campaign's confirmation, once per campaign, by what confirmed it (stream or sentinel)",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600] });
    }

    /// <summary>Starts the batch span (linked to the messages' producers' contexts) and records the batch size.</summary>
    public Activity? StartBatch(IReadOnlyList<ConsumeResult<byte[], byte[]>> batch)
    {
        _batchSize.Record(batch.Count);
        if (!_source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>();
        foreach (ConsumeResult<byte[], byte[]> cr in batch)
        {
            ActivityContext upstream = KafkaTraceContext.Extract(cr.Message.Headers);
            if (upstream != default && links.Count < MaxBatchLinks)
            {
                links.Add(new ActivityLink(upstream));
            }
        }

        Activity? span = _source.StartActivity("clipguard.batch process", ActivityKind.Consumer, parentContext: default, links: links);
        span?.SetTag("messaging.system", "kafka");
        span?.SetTag("messaging.operation.type", "process");
        span?.SetTag("messaging.batch.message_count", batch.Count);
        return span;
    }

    /// <summary>
    /// A span for one message's route, child of the context its producer sent (so a crawl's trace continues through
    /// ClipGuard) and linked to the batch span; without an upstream context it is the batch span's child.
    /// </summary>
    public Activity? StartRoute(ConsumeResult<byte[], byte[]> input, Verdict verdict, string outputTopic)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        ActivityContext upstream = KafkaTraceContext.Extract(input.Message.Headers);
        Activity? batch = Activity.Current;
        Activity? span = upstream != default && batch is not null
            ? _source.StartActivity("clipguard.route publish", ActivityKind.Producer, upstream, links: [new ActivityLink(batch.Context)])
            : _source.StartActivity("clipguard.route publish", ActivityKind.Producer, upstream);
        if (span is null)
        {
            return null;
        }

        span.SetTag("messaging.system", "kafka");
        span.SetTag("messaging.destination.name", outputTopic);
        span.SetTag("messaging.kafka.message.key", verdict.SampleId);
        span.SetTag("clipguard.route", VerdictHeaders.RouteName(verdict.Route));
        span.SetTag("clipguard.detector", verdict.Detector);
        if (double.IsFinite(verdict.Score))
        {
            span.SetTag("clipguard.score", verdict.Score);
        }

        span.SetTag("clipguard.source.offset", $"{input.Topic}/{input.Partition.Value}/{input.Offset.Value}");
        return span;
    }

    /// <summary>Counts what a batch routed (after the outputs were acknowledged) and snapshots the scorer.</summary>
    public void RecordRouted(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided, StreamScorer scorer)
    {
        foreach ((PendingMessage p, Verdict v) in decided)
        {
            string route = VerdictHeaders.RouteName(v.Route);
            _routed.Add(1, new KeyValuePair<string, object?>(TagNames.Route, route), new KeyValuePair<string, object?>(TagNames.Source, _sources.For(p.Envelope?.Source)));
            if (v.Route == Route.DeadLetter)
            {
                _deadLetters.Add(1, new KeyValuePair<string, object?>(TagNames.Reason, ReasonCode(p.Sample.RejectCode ?? v.Reason)));
            }
            else if (double.IsFinite(v.Score))
            {
                _score.Record(v.Score, new KeyValuePair<string, object?>(TagNames.Detector, v.Detector));
            }

            if (v.CampaignId is not null)
            {
                _campaignMembers.Add(1, new KeyValuePair<string, object?>(TagNames.Route, route));
                // A campaign whose earlier members were revoked was timed by the recall stage already (it runs first).
                RecordCampaignConfirmed(v.CampaignId, TimeSpan.Zero, "stream");
            }
        }

        Volatile.Write(ref _scorer, new ScorerState(
            scorer.Reference.Count, scorer.Reference.Version, scorer.Threshold, scorer.DetectorName,
            scorer.Calibration?.DensityCount ?? 0, scorer.CampaignsConfirmed, scorer.RevokedTotal));
    }

    /// <summary>Records how long a stage took, from the time provider's <see cref="TimeProvider.GetTimestamp"/> taken when it began.</summary>
    public void RecordStage(string stage, long startTimestamp) =>
        _stage.Record(_time.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>(TagNames.Stage, stage));

    /// <summary>One batch's split of the <c>score</c> stage (<see cref="StreamScorer.Work"/> after minus before); recalibration only when it ran.</summary>
    public void RecordScoreParts(ScorerWork work)
    {
        _stage.Record(work.Query.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Stage, PipelineStages.ScoreKnn));
        _stage.Record(work.Admit.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Stage, PipelineStages.ScoreAdmit));
        if (work.Guard > TimeSpan.Zero)
        {
            _stage.Record(work.Guard.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Stage, PipelineStages.ScoreGuard));
        }

        if (work.Calibrate > TimeSpan.Zero)
        {
            _stage.Record(work.Calibrate.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Stage, PipelineStages.ScoreCalibrate));
        }
    }

    IDisposable? IRouteTelemetry.StartRoute(ConsumeResult<byte[], byte[]> input, Verdict verdict, string topic, Headers outputHeaders)
    {
        Activity? span = StartRoute(input, verdict, topic);
        KafkaTraceContext.Inject(span, outputHeaders);
        return span;
    }

    void IRouteTelemetry.ProduceDone(long startTimestamp) => RecordStage(PipelineStages.Produce, startTimestamp);

    void IRouteTelemetry.CommitDone(long startTimestamp) => RecordStage(PipelineStages.Commit, startTimestamp);

    /// <summary>For the periodic full re-score: its drift (<see cref="DensityModel{T}.MeasureDrift"/>) and what it evicted.</summary>
    /// <summary>A sentinel checkpoint is in use (loaded at start or swapped in).</summary>
    public void ReportSentinel(int version, DateTimeOffset trainedAt)
    {
        Volatile.Write(ref _sentinelVersion, version);
        lock (_gate)
        {
            _sentinel = (version, trainedAt);
        }
    }

    /// <summary>The sentinel checkpoint in use (null: the configured model), when it was trained, and its age now.</summary>
    public (int Version, DateTimeOffset TrainedAt, TimeSpan Age)? SentinelInUse()
    {
        lock (_gate)
        {
            return _sentinel is { } s ? (s.Version, s.TrainedAt, _time.GetUtcNow() - s.TrainedAt) : null;
        }
    }

    public void RecordSwap(TimeSpan held) => _swapDuration.Record(held.TotalSeconds);

    /// <summary>One recall: the sentinel version that made it (0: a campaign), the campaign (or none), and how long after its clean verdict.</summary>
    public void RecordRecall(int sentinelVersion, string? campaign, TimeSpan afterVerdict)
    {
        var tags = new TagList { { "sentinel_version", sentinelVersion }, { "campaign", campaign ?? "none" } };
        _recalls.Add(1, tags);
        _recallDelay.Record(afterVerdict.TotalSeconds);
    }

    /// <summary>
    /// A campaign seen confirmed: recorded once per campaign id, with the time since its earliest member the host knows
    /// of was routed (zero when it knows only the confirming batch's members), and <paramref name="confirmedBy"/>
    /// (<c>stream</c> or <c>sentinel</c>).
    /// </summary>
    public void RecordCampaignConfirmed(string campaign, TimeSpan sinceEarliestMember, string confirmedBy)
    {
        lock (_gate)
        {
            if (!_campaignsTimed.Add(campaign))
            {
                return;
            }
        }

        _campaignDelay.Record(Math.Max(0, sinceEarliestMember.TotalSeconds), new KeyValuePair<string, object?>("confirmed_by", confirmedBy));
    }

    /// <summary>Campaign revocations recorded and published as recalls (<paramref name="published"/>), or not deliverable (their message was evicted).</summary>
    public void RecordRevocationRecalls(bool published, long count = 1) =>
        _revocationRecalls.Add(count, new KeyValuePair<string, object?>("outcome", published ? "published" : "evicted"));

    private Measurement<double>[] ObserveSentinelAge()
    {
        (int Version, DateTimeOffset TrainedAt)? sentinel;
        lock (_gate)
        {
            sentinel = _sentinel;
        }

        return sentinel is { } s ? [new Measurement<double>((_time.GetUtcNow() - s.TrainedAt).TotalSeconds)] : [];
    }

    public void ReportRescore(RescoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Volatile.Write(ref _drift, report.Drift);
        Volatile.Write(ref _rescore, report);
    }

    /// <summary>Samples the consumer lag at most once per LagInterval; called from the consumer's own thread.</summary>
    public void SampleLag(Func<long> measureLag)
    {
        long now = _time.GetTimestamp();
        if (_lag is not null && _time.GetElapsedTime(_lagSampledAt, now) < _lagInterval)
        {
            return;
        }

        _lagSampledAt = now;
        ReportLag(measureLag());
    }

    /// <summary>Publishes a lag measured elsewhere (the consumer loop's probe, or a test).</summary>
    public void ReportLag(long lag)
    {
        lock (_gate)
        {
            _lag = lag;
        }
    }

    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }

    /// <summary>Reason codes are a closed set; anything else (free text from a future stage) is "other".</summary>
    private static string ReasonCode(string reason)
    {
        int colon = reason.IndexOf(':', StringComparison.Ordinal);
        string code = colon < 0 ? reason : reason[..colon];
        return KnownReasons.Contains(code) ? code : SourceTags.Other;
    }

    /// <summary>The suspects routed clean held for a campaign's recall, and the bytes of their message values (after each batch).</summary>
    public void ReportHeldSuspects(int count, long valueBytes)
    {
        Volatile.Write(ref _heldSuspectBytes, valueBytes);
        Volatile.Write(ref _heldSuspects, count);
    }

    private IEnumerable<Measurement<long>> ObserveHeld(ref long field) =>
        Volatile.Read(ref _heldSuspects) < 0 ? [] : [new Measurement<long>(Volatile.Read(ref field))];

    private IEnumerable<Measurement<long>> ObserveScorer(Func<ScorerState, long> read)
    {
        ScorerState? s = Volatile.Read(ref _scorer);
        return s is null ? [] : [new Measurement<long>(read(s))];
    }

    private IEnumerable<Measurement<T>> ObserveRescore<T>(Func<RescoreReport, T> read)
        where T : struct
    {
        RescoreReport? r = Volatile.Read(ref _rescore);
        return r is null ? [] : [new Measurement<T>(read(r))];
    }

    private IEnumerable<Measurement<double>> ObserveThreshold()
    {
        ScorerState? s = Volatile.Read(ref _scorer);
        // +Inf is reported too: under the conformal rule it means the budget is below the smallest p-value the
        // calibration can give, so nothing is quarantined (a dashboard must show that, not a gap).
        return s is null || double.IsNaN(s.Threshold) ? [] : [new Measurement<double>(s.Threshold, new KeyValuePair<string, object?>(TagNames.Detector, s.Detector))];
    }

    private IEnumerable<Measurement<double>> ObserveDrift()
    {
        DriftReport? d = Volatile.Read(ref _drift);
        return d is null ? [] : d.MaxRelativeError.Select(kv => new Measurement<double>(kv.Value, new KeyValuePair<string, object?>(TagNames.Quantity, QuantityTag(kv.Key))));
    }

    private IEnumerable<Measurement<long>> ObserveMismatches()
    {
        DriftReport? d = Volatile.Read(ref _drift);
        return d is null ? [] : [new Measurement<long>(d.NeighborMismatches)];
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        lock (_gate)
        {
            return _lag is { } lag ? [new Measurement<long>(lag)] : [];
        }
    }

    private static string QuantityTag(DriftQuantity q) => q switch
    {
        DriftQuantity.KDistance => "k_distance",
        _ => q.ToString().ToLowerInvariant(),
    };

    private sealed record ScorerState(long Size, long Version, double Threshold, string Detector, long CalibrationSize, long Campaigns, long Revoked);
}
