using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// The instrumentation singleton under the OpenTelemetry SDK's in-memory exporter: a small batch decided by the real
/// scorer and reported the way the stream loop reports it.
/// </summary>
[Collection(ProcessWideMeters.Name)]
public sealed class InstrumentationTests
{
    private const int Dim = 16;

    [Fact]
    public void EveryMetricTheDashboardUsesIsEmittedWithTheLabelsItQueries()
    {
        var exported = new List<MetricSnapshot>();
        using var factory = new InstrumentationFactory();
        using MeterProvider provider = Sdk.CreateMeterProviderBuilder().AddMeter(ClipGuardInstrumentation.MeterName).AddInMemoryExporter(exported).Build();
        (StreamScorer scorer, List<(PendingMessage, Verdict)> decided) = RouteSmallBatch(factory.Instrumentation);
        GC.Collect(); // the heap gauge reads the last collection's heap
        provider.ForceFlush();

        var emitted = new Dictionary<string, (MetricSnapshot Metric, HashSet<string> Tags)>(StringComparer.Ordinal);
        foreach (MetricSnapshot m in exported.Where(m => m.MeterName == ClipGuardInstrumentation.MeterName && m.MetricPoints.Count > 0))
        {
            var tags = new HashSet<string>(StringComparer.Ordinal);
            foreach (MetricPoint p in m.MetricPoints)
            {
                foreach (KeyValuePair<string, object?> t in p.Tags)
                {
                    tags.Add(t.Key);
                }
            }

            foreach (string series in PrometheusNaming.SeriesNames(m.Name, m.Unit, KindOf(m.MetricType)))
            {
                emitted[series] = (m, tags);
            }
        }

        IReadOnlyDictionary<string, HashSet<string>> used = GrafanaDashboard.MetricsAndLabels();
        Assert.NotEmpty(used);
        foreach ((string metric, HashSet<string> labels) in used)
        {
            Assert.True(emitted.TryGetValue(metric, out var e), $"the dashboard queries {metric}, which nothing emitted; emitted: {string.Join(", ", emitted.Keys.Order())}");
            var missing = labels.Where(l => l != "le" && !e.Tags.Contains(l)).ToList();
            Assert.True(missing.Count == 0, $"the dashboard groups or matches {metric} on {string.Join(", ", missing)}, which it does not carry");
        }

        // The values are the batch's, not just present.
        Assert.Equal(decided.Count(d => d.Item2.Route == Route.Quarantine), Sum(emitted["clipguard_samples_routed_total"].Metric, "route", "quarantine"));
        Assert.True(Sum(emitted["clipguard_samples_routed_total"].Metric, "route", "quarantine") >= 1, "the planted outlier should be quarantined");
        Assert.Equal(1, Sum(emitted["clipguard_dead_letters_total"].Metric, "reason", RejectionCodes.InvalidJson));
        Assert.Equal(decided.Count, Sum(emitted["clipguard_samples_routed_total"].Metric, null, null));
        Assert.Equal(scorer.Reference.Count, LastLong(emitted["clipguard_reference_size"].Metric));
        Assert.Equal(17, LastLong(emitted["clipguard_consumer_lag"].Metric));
        // Snapshotted when the batch was routed: the 600 seed members, before the re-score recalibrated with the batch's held-out samples.
        Assert.InRange(LastLong(emitted["clipguard_calibration_size"].Metric), 600, scorer.Calibration!.DensityCount);
        long evicted = LastLong(emitted["clipguard_rescore_evicted"].Metric);
        double share = LastDouble(emitted["clipguard_rescore_evicted_share"].Metric);
        Assert.Equal((double)evicted / (scorer.Reference.Count + evicted), share, 12);
        Assert.InRange(share, 0, 0.2);

        // The memory gauges: a managed heap of at least what this test holds, within what the collector committed.
        long heap = LastLong(emitted["clipguard_memory_managed_heap_bytes"].Metric);
        Assert.InRange(heap, 1 << 20, LastLong(emitted["clipguard_memory_managed_committed_bytes"].Metric));

        // The score stage's parts: the batch's k-NN and admission took time, within the whole stage's.
        MetricSnapshot stages = emitted["clipguard_stage_duration_seconds_count"].Metric;
        double whole = HistogramSum(stages, PipelineStages.Score);
        Assert.InRange(HistogramSum(stages, PipelineStages.ScoreKnn), 1e-9, whole);
        Assert.InRange(HistogramSum(stages, PipelineStages.ScoreAdmit), 1e-9, whole);
        Assert.InRange(HistogramSum(stages, PipelineStages.ScoreGuard), 1e-9, whole);
        Assert.True(HistogramSum(stages, PipelineStages.ScoreKnn) + HistogramSum(stages, PipelineStages.ScoreAdmit) + HistogramSum(stages, PipelineStages.ScoreCalibrate) + HistogramSum(stages, PipelineStages.ScoreGuard) <= whole);
    }

    private static double HistogramSum(MetricSnapshot metric, string stage)
    {
        double sum = 0;
        foreach (MetricPoint p in metric.MetricPoints)
        {
            foreach (KeyValuePair<string, object?> t in p.Tags)
            {
                if (t.Key == "stage" && (string?)t.Value == stage)
                {
                    sum += p.GetHistogramSum();
                }
            }
        }

        return sum;
    }

    [Fact]
    public void SourcesBeyondTheCapAreCountedAsOther()
    {
        var exported = new List<MetricSnapshot>();
        using var factory = new InstrumentationFactory(new TelemetryOptions { MaxSources = 2 });
        using MeterProvider provider = Sdk.CreateMeterProviderBuilder().AddMeter(ClipGuardInstrumentation.MeterName).AddInMemoryExporter(exported).Build();
        RouteSmallBatch(factory.Instrumentation);
        provider.ForceFlush();

        MetricSnapshot routed = exported.Last(m => m.Name == MetricNames.SamplesRouted);
        var sources = new HashSet<string>();
        foreach (MetricPoint p in routed.MetricPoints)
        {
            foreach (KeyValuePair<string, object?> t in p.Tags)
            {
                if (t.Key == TagNames.Source)
                {
                    sources.Add((string)t.Value!);
                }
            }
        }

        // Three crawl sources plus rejected messages without one: two keep their names, the rest share "other" and "unknown".
        Assert.Equal(["crawler-0", "crawler-1", "other", "unknown"], sources.Order());
    }

    [Fact]
    public void TheRouteSpanContinuesTheProducersTraceAndGoesOutInTheHeaders()
    {
        var spans = new List<Activity>();
        using var factory = new InstrumentationFactory();
        using TracerProvider tracer = Sdk.CreateTracerProviderBuilder().AddSource(ClipGuardInstrumentation.ActivitySourceName).AddInMemoryExporter(spans).Build();
        var upstream = ActivityTraceId.CreateRandom();
        var upstreamSpan = ActivitySpanId.CreateRandom();
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"00-{upstream}-{upstreamSpan}-01") } };
        var input = Input("s1", 7, headers);
        var verdict = new Verdict("s1", Route.Clean, 1.2, "dao", 16, 100, 3, "m", 5, "score at or below threshold", [], []);
        var output = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"00-{upstream}-{upstreamSpan}-01") }, { "clipguard-verdict", "clean"u8.ToArray() } };

        using (Activity? batch = factory.Instrumentation.StartBatch([input]))
        {
            using Activity? route = factory.Instrumentation.StartRoute(input, verdict, "clipguard.clean");
            KafkaTraceContext.Inject(route, output);
        }

        tracer.ForceFlush();
        Activity batchSpan = Assert.Single(spans, s => s.OperationName == "clipguard.batch process");
        Activity routeSpan = Assert.Single(spans, s => s.OperationName == "clipguard.route publish");
        Assert.Equal(upstream, routeSpan.TraceId);
        Assert.Equal(upstreamSpan, routeSpan.ParentSpanId);
        Assert.Contains(routeSpan.Links, l => l.Context.SpanId == batchSpan.SpanId);
        Assert.Contains(batchSpan.Links, l => l.Context.TraceId == upstream);
        Assert.Equal("clipguard.clean", routeSpan.GetTagItem("messaging.destination.name"));

        // One traceparent, the route span's, so the next consumer continues this trace under ClipGuard's span.
        string traceparent = Encoding.UTF8.GetString(Assert.Single(output, h => h.Key == "traceparent").GetValueBytes());
        Assert.Equal($"00-{upstream}-{routeSpan.SpanId}-01", traceparent);
        Assert.Contains(output, h => h.Key == "clipguard-verdict");
    }

    /// <summary>Seeds a scorer, decides 40 samples from three sources, a planted outlier and an unparseable message,
    /// and reports everything the stream loop reports for a batch.</summary>
    private static (StreamScorer, List<(PendingMessage, Verdict)>) RouteSmallBatch(ClipGuardInstrumentation telemetry)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(640, Dim, 5, 0.0, 21);
        // A 1 % budget: a conformal p-value against the 600-member seed cannot fall below 1 / 601.
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            BootstrapSize = 100,
            FalseQuarantineRate = 0.01,
            Reference = new ReferenceSetOptions { Capacity = 2000, HoldBack = 10, K = 8, MaxSourceShare = 0.9, Threads = 1 },
        });
        scorer.Seed(Enumerable.Range(0, 600).Select(i => $"seed{i}").ToList(), SyntheticEmbeddings.Slice(data, 0, 600));

        var pending = new List<PendingMessage>();
        for (int i = 600; i < 640; i++)
        {
            var envelope = new SampleEnvelope($"s{i}", "caption", data.RowReadOnly(i).ToArray(), null, source: $"crawler-{i % 3}");
            pending.Add(new PendingMessage(Input(envelope.Id, i, null), new StreamSample(envelope.Id, envelope.Source, envelope.Embedding), envelope));
        }

        float[] far = Enumerable.Repeat(25f, Dim).ToArray();
        pending.Add(new PendingMessage(Input("planted", 640, null), new StreamSample("planted", "crawler-0", far), new SampleEnvelope("planted", "c", far, null, source: "crawler-0")));
        pending.Add(new PendingMessage(Input("broken", 641, null), StreamSample.Rejected("broken", RejectionCodes.InvalidJson, "unexpected end"), null));

        using Activity? batch = telemetry.StartBatch(pending.Select(p => p.Message).ToList());
        long start = Stopwatch.GetTimestamp();
        ScorerWork before = scorer.Work;
        IReadOnlyList<Verdict> verdicts = scorer.Decide(pending.Select(p => p.Sample).ToList());
        foreach (string stage in new[] { PipelineStages.Parse, PipelineStages.Score, PipelineStages.Ledger, PipelineStages.Produce, PipelineStages.Commit })
        {
            telemetry.RecordStage(stage, start);
        }

        telemetry.RecordScoreParts(scorer.Work - before);

        var byId = pending.ToDictionary(p => p.Sample.Id);
        var decided = verdicts.Select(v => (byId[v.SampleId], v)).ToList();
        telemetry.RecordRouted(decided, scorer);
        telemetry.ReportRescore(scorer.Rescore());
        telemetry.ReportLag(17);
        return (scorer, decided);
    }

    private static ConsumeResult<byte[], byte[]> Input(string key, long offset, Headers? headers) => new()
    {
        Topic = "clipguard.pairs",
        Partition = new Partition(0),
        Offset = new Offset(offset),
        Message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = [], Headers = headers ?? [] },
    };

    private static InstrumentKind KindOf(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => InstrumentKind.Counter,
        MetricType.Histogram or MetricType.ExponentialHistogram => InstrumentKind.Histogram,
        _ => InstrumentKind.Gauge,
    };

    private static long Sum(MetricSnapshot counter, string? tag, string? value)
    {
        long sum = 0;
        foreach (MetricPoint p in counter.MetricPoints)
        {
            bool match = tag is null;
            foreach (KeyValuePair<string, object?> t in p.Tags)
            {
                match |= t.Key == tag && (string?)t.Value == value;
            }

            sum += match ? p.GetSumLong() : 0;
        }

        return sum;
    }

    private static long LastLong(MetricSnapshot gauge) => gauge.MetricPoints.Single().GetGaugeLastValueLong();

    private static double LastDouble(MetricSnapshot gauge) => gauge.MetricPoints.Single().GetGaugeLastValueDouble();
}
