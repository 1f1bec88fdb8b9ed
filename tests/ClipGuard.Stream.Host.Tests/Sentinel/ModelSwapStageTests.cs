using System.Globalization;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Tests.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;

namespace ClipGuard.Stream.Host.Tests.Sentinel;

/// <summary>
/// The hot swap inside the running loop, with real (tiny, random) models and fakes around Kafka. The old reference
/// vouches for a cluster of flat grey images through seed members it has no stored images of; the new model's
/// reference is re-embedded from stored images only, so that cluster is no longer vouched for: the grey samples routed
/// clean before the swap are judged again and recalled, while the textured ones stay clean.
/// </summary>
public sealed class ModelSwapStageTests : IDisposable
{
    private const int Textured = 300;
    private const int GreySeeds = 40;
    private const int StreamedTextured = 40;
    private const int StreamedGrey = 20;
    private const int AfterSwap = 10;

    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-swap-stage-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeStreamConsumer _consumer;
    private readonly FakeOutputProducer _producer = new();
    private readonly InMemoryQuarantineLedger _ledger;
    private readonly InstrumentationFactory _telemetry = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, byte[]> _values = [];

    public ModelSwapStageTests()
    {
        _consumer = new FakeStreamConsumer(_time);
        _ledger = new InMemoryQuarantineLedger(_time);
        _consumer.Assigned.Add(InputMessages.Partition(0));
    }

    public void Dispose()
    {
        _telemetry.Dispose();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ASwapMovesTheReferenceJudgesTheProvisionalWindowAgainAndRecallsWhatTheNewModelQuarantines(bool campaigns, bool fittingSeed)
    {
        // With a fitting seed half (docs/sentinel.md, "Judging what the sentinel trained on"), the stored textured seed
        // is split: one half calibrates the arrivals, the other half judges the window.
        // With campaigns, the grey copies the new model no longer vouches for are one campaign in the judged window:
        // every grey recall names it, in the message and in the ledger.
        CancellationToken cancel = TestContext.Current.CancellationToken;
        StreamImageEmbedder old = Embedder("old", 21), next = Embedder("new", 23);
        var images = new ReferenceImageStore(Path.Combine(_dir, "images"));
        var embedding = new ImageEmbedding(old);

        // The seed: textured images (stored) and flat grey ones (embedded once, never stored).
        (List<string> seedIds, List<byte[]> seedImages) = TexturedSeed(images);
        SeedPairs? seedPairs = null;
        if (fittingSeed)
        {
            seedPairs = new SeedPairs(new SentinelLayout(Path.Combine(_dir, "sentinel")));
            seedPairs.Write(seedIds.Select((id, i) => (id, seedImages[i], $"caption {i}")), fitShare: 0.5);
        }

        for (int i = 0; i < GreySeeds; i++)
        {
            seedIds.Add($"seed-g{i}");
            seedImages.Add(Grey());
        }

        var scorer = new StreamScorer(old.EmbedDim, ScorerOptions(campaigns));
        scorer.Seed(seedIds, await EmbedAsync(old.Pipeline, seedImages));

        long offset = 0;
        var before = new List<string>();
        for (int i = 0; i < StreamedTextured; i++)
        {
            before.Add(Enqueue(ref offset, $"t{i}", SyntheticImages.Jpeg(40, 40, seed: 10_000 + i)));
        }

        for (int i = 0; i < StreamedGrey; i++)
        {
            before.Add(Enqueue(ref offset, $"g{i}", Grey()));
        }

        // A flat blue image, unlike anything in the seed: the old model quarantines it on arrival, and the swap's
        // judgement takes it along as evidence.
        before.Add(Enqueue(ref offset, "blue", Flat(new SKColor(0, 0, 255))));

        using RecordedMeasurements confirmations = _telemetry.Record(MetricNames.CampaignConfirmationDelay);
        // The campaign variant keeps the swap's judgement file (ClipGuard:Sentinel:KeepJudgements); the others write none.
        StreamPipeline pipeline = Pipeline(scorer, embedding, images, keepJudgements: campaigns);
        Task<ModelSwapOutcome>? swap = null;
        _consumer.OnIdle = () =>
        {
            int routed = Routed().Count;
            if (swap is null && routed >= before.Count)
            {
                swap = pipeline.SwapModel(next, 1, cancel);
                for (int i = 0; i < AfterSwap; i++)
                {
                    Enqueue(ref offset, $"after{i}", SyntheticImages.Jpeg(40, 40, seed: 20_000 + i));
                }
            }
            else if (swap is { IsCompleted: true } && routed >= before.Count + AfterSwap)
            {
                _stop.Cancel();
            }
        };

        _producer.FailingTopics.Add(TopicNames.Recalls);
        pipeline.Run(_stop.Token);

        // The recall topic refused the swap's delivery: the swap stands, its recalls wait, the judgement is not complete;
        // a retry (the sentinel watcher's, at its next poll) delivers them and completes it.
        Assert.Equal(0, pipeline.JudgedVersion);
        _producer.FailingTopics.Clear();
        Task<int> retry = Assert.IsType<Task<int>>(pipeline.RetryRecalls(cancel), exactMatch: false);
        pipeline.BetweenBatches.RunQueued();
        Assert.Equal(0, await retry);
        Assert.Equal(1, pipeline.JudgedVersion);
        Assert.Null(pipeline.RetryRecalls(cancel));

        Assert.NotNull(swap);
        ModelSwapOutcome outcome = await swap;
        var routedCopies = Routed();
        Assert.Equal(before.Count + AfterSwap, routedCopies.Count);
        Assert.Equal(before.Count + AfterSwap, routedCopies.Select(p => Key(p.Message)).Distinct().Count());
        var cleanBefore = routedCopies.Where(p => p.Topic == TopicNames.Clean && !Key(p.Message).StartsWith("after", StringComparison.Ordinal)).Select(p => Key(p.Message)).ToHashSet();
        int greyClean = cleanBefore.Count(id => id.StartsWith('g'));
        Assert.True(greyClean >= StreamedGrey / 2, $"only {greyClean} of {StreamedGrey} grey samples were routed clean under the old reference");

        // Before the swap: the old model's label, and clean copies are provisional.
        foreach ((string topic, Confluent.Kafka.Message<byte[], byte[]> m) in routedCopies)
        {
            string model = Header(m, ClipGuardHeaders.ModelVersion);
            Assert.Equal(Key(m).StartsWith("after", StringComparison.Ordinal) ? next.ModelVersionLabel : "old@test", model);
            if (topic == TopicNames.Clean)
            {
                Assert.Equal("false", Header(m, ClipGuardHeaders.Final));
                Assert.Equal(_time.GetUtcNow().UtcDateTime.Date, DateTime.Parse(Header(m, ClipGuardHeaders.FinalAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).Date);
            }
        }

        // The arrivals are calibrated by the seed's calibrating half, the window was judged against its fitting half.
        int fitting = seedPairs?.FittingIds().Count ?? 0;
        Assert.Equal(fittingSeed ? seedPairs!.CalibratingIds().Count : Textured, scorer.TrustedStart);
        Assert.InRange(fitting, fittingSeed ? 110 : 0, fittingSeed ? 190 : 0);

        // The swap: the reference moved to the stored images only; every clean sample of the window was judged again.
        Assert.Same(next, embedding.Pipeline);
        Assert.Equal(next.ModelVersionLabel, scorer.Reference.ModelVersion);
        Assert.Equal(GreySeeds, outcome.MembersDropped);
        Assert.Equal(Textured, outcome.Report.Reembedded);
        Assert.Equal(cleanBefore.Count, outcome.Judged + cleanBefore.Count(scorer.Reference.Contains));
        // The samples the old model quarantined on arrival were judged with them, as evidence only (never recalled).
        var quarantinedBefore = routedCopies.Where(p => p.Topic == TopicNames.Quarantine && !Key(p.Message).StartsWith("after", StringComparison.Ordinal)).Select(p => Key(p.Message)).ToHashSet();
        Assert.Equal(quarantinedBefore.Count, outcome.Evidence);
        Assert.Equal(["blue"], quarantinedBefore);
        // The scenario's premise, checked: the new model's reference (textured members only) no longer vouches for grey.
        Matrix<float> probe = await EmbedAsync(next.Pipeline, [Grey()]);
        Assert.True(Assert.Single(scorer.Judge([new StreamSample("probe", "x", probe.RowReadOnly(0).ToArray())])).Quarantine, "the new reference still vouches for the grey cluster");
        var attempts = _producer.Produced.Where(p => p.Topic == TopicNames.Recalls).ToList();
        Assert.Equal(2 * outcome.Recalled, attempts.Count);
        var recalls = attempts.Skip(outcome.Recalled).ToList();
        var recalled = recalls.Select(r => JsonDocument.Parse(r.Message.Value).RootElement).ToList();
        var recalledIds = recalled.Select(r => r.GetProperty("sample_id").GetString()!).ToHashSet();
        int greyRecalled = recalledIds.Count(id => id.StartsWith('g'));
        int texturedRecalled = recalledIds.Count(id => id.StartsWith('t'));
        Assert.Equal(greyClean, greyRecalled);
        Assert.True(texturedRecalled <= 4, $"{texturedRecalled} textured samples recalled (3 % of 40 expected: 1.2)");
        Assert.All(recalls, r => Assert.Equal(Key(r.Message), JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("sample_id").GetString()));
        Assert.All(recalled, r =>
        {
            Assert.Equal("quarantine", r.GetProperty("verdict").GetString());
            Assert.Equal(next.ModelVersionLabel, r.GetProperty("model").GetString());
            Assert.Equal("old@test", r.GetProperty("recalled_from").GetString());
            Assert.Equal(1, r.GetProperty("sentinel_version").GetInt32());
            Assert.Contains(r.GetProperty("sample_id").GetString()!, cleanBefore);
        });
        var campaignOf = recalled.ToDictionary(r => r.GetProperty("sample_id").GetString()!, r => r.GetProperty("campaign").GetString());
        if (campaigns)
        {
            string? campaign = campaignOf.Where(c => c.Key.StartsWith('g')).Select(c => c.Value).Distinct().Single();
            Assert.Matches("^campaign-[0-9a-f]{8}-1$", campaign);
            Assert.All(campaignOf.Where(c => c.Key.StartsWith('t')), c => Assert.Null(c.Value));

            // Confirmed by the sentinel's judgement, timed once, from its earliest member's clean verdict to the recall.
            var greyRecalls = recalled.Where(r => r.GetProperty("sample_id").GetString()!.StartsWith('g')).ToList();
            TimeSpan expected = greyRecalls[0].GetProperty("recalled_at").GetDateTimeOffset() - greyRecalls.Min(r => r.GetProperty("routed_at").GetDateTimeOffset());
            (double delay, Dictionary<string, object?> tags) = Assert.Single(confirmations.Values);
            Assert.Equal(expected.TotalSeconds, delay, 6);
            Assert.Equal("sentinel", tags["confirmed_by"]);
        }
        else
        {
            Assert.All(campaignOf.Values, Assert.Null);
            Assert.Empty(confirmations.Values);
        }

        // Each recall is a quarantine record holding the original message, marked with the model it was recalled from.
        foreach (string id in recalledIds)
        {
            QuarantineRecord record = Assert.IsType<QuarantineRecord>(await _ledger.GetAsync(id, cancel));
            Assert.Equal("old@test", record.RecalledFrom);
            Assert.Equal(next.ModelVersionLabel, record.ModelVersion);
            Assert.Equal(QuarantineStatus.Quarantined, record.Status);
            Assert.Equal(_values[id], record.Value);
            Assert.Equal(campaignOf[id], record.Campaign);
            Assert.True(fittingSeed ? record.ReferenceSize == fitting : record.ReferenceSize > Textured - 20, $"judged against {record.ReferenceSize} members");
        }

        // The judgement file: one line per judged sample, the recalls and their campaigns as published.
        string sentinel = Path.Combine(_dir, "sentinel");
        string judgements = new SentinelLayout(sentinel).Judgements;
        if (campaigns)
        {
            var lines = JudgementRecord.ReadAll(Assert.Single(Directory.GetFiles(judgements, "v000001-*.jsonl")));
            Assert.Equal(outcome.Judged, lines.Count);
            Assert.Equal(recalledIds.Order(), lines.Where(j => j.Recalled).Select(j => j.Id).Order());
            Assert.All(lines, j => Assert.Equal("old@test", j.RoutedUnder));
            Assert.All(lines.Where(j => j.Recalled), j => Assert.Equal(campaignOf[j.Id], j.Campaign));
            Assert.All(lines.Where(j => !j.Recalled), j => Assert.True(j.PValue > 0, $"{j.Id}: p = {j.PValue}"));
        }
        else
        {
            Assert.False(Directory.Exists(judgements));
        }

        // The window on disk holds every routed pair with an image, as files clipguard train reads.
        int pairs = Directory.EnumerateFiles(sentinel, "*.txt", SearchOption.AllDirectories).Count() - (fittingSeed ? Textured : 0);
        Assert.Equal(before.Count + AfterSwap - routedCopies.Count(p => p.Topic == TopicNames.DeadLetter), pairs);
        pipeline.Dispose();
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(sentinel, "open")));
    }

    [Theory]
    [InlineData(RejudgePolicy.Once)]
    [InlineData(RejudgePolicy.EveryRound)]
    public async Task ASecondSwapJudgesOnlyWhatTheModelItReplacesRoutedUnlessEveryRoundIsAsked(RejudgePolicy policy)
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        StreamImageEmbedder old = Embedder("old", 21), next = Embedder("new", 23), newer = Embedder("newer", 29);
        var images = new ReferenceImageStore(Path.Combine(_dir, "images"));
        var embedding = new ImageEmbedding(old);
        (List<string> seedIds, List<byte[]> seedImages) = TexturedSeed(images);

        var scorer = new StreamScorer(old.EmbedDim, ScorerOptions());
        scorer.Seed(seedIds, await EmbedAsync(old.Pipeline, seedImages));
        long offset = 0;
        for (int i = 0; i < StreamedTextured; i++)
        {
            Enqueue(ref offset, $"t{i}", SyntheticImages.Jpeg(40, 40, seed: 10_000 + i));
        }

        StreamPipeline pipeline = Pipeline(scorer, embedding, images, policy);
        Task<ModelSwapOutcome>? first = null, second = null;
        _consumer.OnIdle = () =>
        {
            int routed = Routed().Count;
            if (first is null && routed >= StreamedTextured)
            {
                first = pipeline.SwapModel(next, 1, cancel);
                for (int i = 0; i < AfterSwap; i++)
                {
                    Enqueue(ref offset, $"after{i}", SyntheticImages.Jpeg(40, 40, seed: 20_000 + i));
                }
            }
            else if (first is { IsCompleted: true } && second is null && routed >= StreamedTextured + AfterSwap)
            {
                second = pipeline.SwapModel(newer, 2, cancel);
            }
            else if (second is { IsCompleted: true })
            {
                _stop.Cancel();
            }
        };

        pipeline.Run(_stop.Token);
        ModelSwapOutcome one = await first!, two = await second!;

        // Nothing streamed is carried into a new space (every clean verdict is still provisional), so every clean
        // sample a swap considers is judged: the first swap judges all of the first model's, the second, under Once,
        // only the second model's; under EveryRound, also the first model's that the first swap did not recall.
        var clean = Routed().Where(p => p.Topic == TopicNames.Clean).Select(p => Key(p.Message)).ToList();
        int cleanOld = clean.Count(id => id.StartsWith('t')), cleanNext = clean.Count(id => id.StartsWith("after", StringComparison.Ordinal));
        Assert.True(cleanOld > StreamedTextured / 2 && cleanNext > AfterSwap / 2, $"{cleanOld} and {cleanNext} routed clean");
        Assert.Equal(cleanOld, one.Judged);
        Assert.Equal(cleanOld - one.Recalled + cleanNext, two.Provisional);
        Assert.Equal(policy == RejudgePolicy.Once ? cleanNext : cleanOld - one.Recalled + cleanNext, two.Judged);
        var secondRecalls = _producer.Produced.Where(p => p.Topic == TopicNames.Recalls).Skip(one.Recalled)
            .Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("recalled_from").GetString()).ToList();
        Assert.Equal(two.Recalled, secondRecalls.Count);
        if (policy == RejudgePolicy.Once)
        {
            Assert.All(secondRecalls, from => Assert.Equal(next.ModelVersionLabel, from));
        }

        pipeline.Dispose();
    }

    /// <summary>The textured seed members, their images kept in <paramref name="images"/> (a swap re-embeds them).</summary>
    private static (List<string> Ids, List<byte[]> Images) TexturedSeed(ReferenceImageStore images)
    {
        var ids = new List<string>();
        var bytes = new List<byte[]>();
        for (int i = 0; i < Textured; i++)
        {
            ids.Add($"seed-t{i}");
            bytes.Add(SyntheticImages.Jpeg(40, 40, seed: i));
            images.Put(ids[^1], bytes[^1], $"caption {i}");
        }

        return (ids, bytes);
    }

    private List<(string Topic, Confluent.Kafka.Message<byte[], byte[]> Message)> Routed() =>
        [.. _producer.Produced.Where(p => p.Topic != TopicNames.Recalls)];

    private string Enqueue(ref long offset, string id, byte[] image)
    {
        byte[] value = EnvelopeWriter.ToUtf8Bytes(new SampleEnvelope(id, $"caption {id}", null, image, source: "crawler-1"));
        _values[id] = value;
        _consumer.Enqueue(InputMessages.At(0, offset++, id, value));
        return id;
    }

    private static string Key(Confluent.Kafka.Message<byte[], byte[]> m) => Encoding.UTF8.GetString(m.Key);

    private static string Header(Confluent.Kafka.Message<byte[], byte[]> m, string name) =>
        m.Headers.TryGetLastBytes(name, out byte[] bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"no {name} header");

    private StreamPipeline Pipeline(StreamScorer scorer, ImageEmbedding embedding, ReferenceImageStore images, RejudgePolicy rejudge = RejudgePolicy.Once, bool keepJudgements = false)
    {
        var kafka = new KafkaStreamOptions { BootstrapServers = "fake:9092", ProvisionalWindow = TimeSpan.FromMinutes(30) };
        var sentinel = new SentinelOptions { Directory = Path.Combine(_dir, "sentinel"), SegmentPairs = 1000, ProvisionalWindow = TimeSpan.FromMinutes(30), Rejudge = rejudge, KeepJudgements = keepJudgements };
        var factory = new StreamPipelineFactory(
            Options.Create(kafka),
            Options.Create(new ReferenceStoreOptions()),
            Options.Create(new LedgerRetryOptions()),
            Options.Create(new ReplicationOptions()),
            Options.Create(sentinel),
            new KafkaClientFactory(kafka),
            new SharedProducer(new KafkaClientFactory(kafka), NullLogger<SharedProducer>.Instance),
            _ledger,
            embedding,
            _telemetry.Instrumentation,
            _time,
            NullLoggerFactory.Instance);
        return factory.Compose(scorer, _consumer, _producer, replicator: null, snapshots: null, images: images);
    }

    private StreamImageEmbedder Embedder(string name, long seed)
    {
        string config = Path.Combine(_dir, name + ".json");
        File.WriteAllText(config, TinyClipConfigs.Old);
        var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), name, seed);
        var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions { DecodeWorkers = 2, MaxBatch = 64 }, TimeProvider.System);
        return new StreamImageEmbedder(embedder, pipeline);
    }

    private static async Task<Matrix<float>> EmbedAsync(ImageEmbeddingPipeline pipeline, List<byte[]> images)
    {
        ImageEmbeddingResult[] results = await Task.WhenAll(images.Select(i => pipeline.EmbedAsync(i)));
        var m = new Matrix<float>(images.Count, results[0].Embedding!.Length);
        for (int i = 0; i < results.Length; i++)
        {
            results[i].Embedding!.CopyTo(m.Row(i));
        }

        return m;
    }

    /// <summary>The flat grey JPEG of the odd cluster (identical images embed identically whatever the batch).</summary>
    /// <summary>A flat saturated colour: far from every textured image and, in the old space, from the grey ones.</summary>
    private static byte[] Flat(SKColor colour)
    {
        using var bitmap = new SKBitmap(40, 40);
        bitmap.Erase(colour);
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static byte[] Grey()
    {
        using var bitmap = new SKBitmap(40, 40);
        bitmap.Erase(new SKColor(103, 103, 103));
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <remarks>k-distance (the flat grey point is far from every textured image, not in a sparse neighbourhood), a 3 % budget
    /// (300 calibrating members after the swap: the smallest p-value is 1 / 301), k = 8, everything cleared enters at once.
    /// Any suspect founds a campaign (founding level = suspect level): the grey copies' p-values lie between the
    /// calibration's smallest and the 3 % budget, and this test is about what a swap does with a campaign, not about
    /// which suspects found one (CampaignTrackerTests).</remarks>
    private static StreamScorerOptions ScorerOptions(bool campaigns = false) => new()
    {
        Campaigns = new CampaignOptions { Enabled = campaigns, MinimumTrustedStart = 0, FoundingLevel = 0.05 },
        FalseQuarantineRate = 0.03,
        Detector = OutlierDetector.KDist,
        BootstrapSize = 100,
        ModelVersion = "old@test",
        Reference = new ReferenceSetOptions { Capacity = 5000, HoldBack = 0, K = 8, MaxSourceShare = 1, Threads = 1 },
    };
}
