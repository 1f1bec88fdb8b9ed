using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using ClipGuard.Stream.Lab;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Offline.Training;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClipGuard.Stream.Cli.Sentinel;

/// <summary>
/// <c>clipguard lab sentinel</c>: the model loop measured end to end (docs/sentinel.md). A small CLIP trained on clean
/// scenes only starts the service (dev broker, redis-server, the service in this process, a trusted seed folder); a
/// BadNets campaign starts part-way through a stream of lab scenes; after each configured share of the stream,
/// <c>clipguard sentinel --once</c> trains a round on the window the service kept, the service swaps it in and recalls
/// what it now judges poisoned. The report counts, per phase, the campaign's samples quarantined on arrival or
/// recalled, clean samples quarantined or recalled, and the time from the campaign's first sample to its recalls.
/// </summary>
internal sealed class SentinelLabRunner(TextWriter output, TextWriter errors)
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SwapTimeout = TimeSpan.FromMinutes(20);
    private const int Partitions = 32;

    public int Run(SentinelLabSettings s)
    {
        if (s.Error() is { } error)
        {
            errors.WriteLine($"clipguard lab sentinel: {error}");
            return 2;
        }

        Directory.CreateDirectory(s.Out);
        ImageSet test = FashionMnist.Load(s.DataDirectory, train: false);
        string model = StartingModel(s);
        string seed = Path.Combine(s.Out, "seed");
        if (!Directory.Exists(seed))
        {
            SceneCrawl.WriteSeed(s.DataDirectory, test, s.SeedSize, s.Seed + 2000, seed);
        }

        SceneOptions recipe = SceneCrawl.Recipe(s.DataDirectory, s.Scenes, s.Poisons, s.Seed) with { PoisonFrom = s.PoisonFrom };
        recipe = recipe with { Trigger = recipe.Trigger with { PatchSize = s.PatchSize } };
        string probes = Path.Combine(s.Out, "asr-scenes");
        if (!File.Exists(Path.Combine(probes, "scenes.json")))
        {
            // A small draw of the same recipe (same seed: the same trigger) for `lab asr` of each sentinel.
            SceneGenerator.Generate(recipe with { Scenes = 1000, Poisons = 10, PoisonFrom = 0 }, test, probes, NullLabReporter.Instance);
        }

        List<CrawlSample> crawl = SceneCrawl.Build(recipe, test, "s-");
        string run = Path.Combine(s.Out, "run");
        if (Directory.Exists(run))
        {
            Directory.Delete(run, recursive: true);
        }

        Directory.CreateDirectory(run);
        Say($"stream     {crawl.Count} lab scenes, {crawl.Count(c => c.Poisoned)} poisoned ({SceneCrawl.Describe(recipe)}), the first at sample {crawl.FindIndex(c => c.Poisoned)}");
        return Stream(s, crawl, model, seed, run);
    }

    private string StartingModel(SentinelLabSettings s)
    {
        string initial = Path.Combine(s.Out, "initial");
        if (!File.Exists(Path.Combine(initial, TrainManifest.FileName)))
        {
            string clean = Path.Combine(s.Out, "clean");
            if (!File.Exists(Path.Combine(clean, "scenes.json")))
            {
                ImageSet train = FashionMnist.Load(s.DataDirectory, train: true);
                SceneGenerator.Generate(SceneCrawl.Recipe(s.DataDirectory, s.CleanScenes, poisons: 0, s.Seed + 1000), train, clean, NullLabReporter.Instance);
            }

            Say($"initial    training the starting model on {s.CleanScenes} clean scenes ({s.Epochs} epochs)");
            TrainManifest m = TrainEngine.Run(new TrainSettings(clean, initial) { Epochs = s.Epochs, Model = s.Model, Threads = s.Threads, Seed = s.Seed });
            Say(Inv($"initial    {m.ModelVersion}: loss {m.History[^1].Loss:0.000}, {m.TrainSeconds:0} s"));
        }

        return Path.Combine(initial, TrainEngine.ModelDirectoryName);
    }

    private int Stream(SentinelLabSettings s, List<CrawlSample> crawl, string model, string seed, string run)
    {
        var topics = DevBrokerOptions.DefaultTopics().Select(t => t.Partitions > 1 ? t with { Partitions = Partitions } : t).ToList();
        using DevKafkaBroker broker = DevKafkaBroker.Start(new DevBrokerOptions { Topics = topics });
        using RedisServerProcess? redis = RedisServerProcess.TryStart(out string why);
        if (redis is null)
        {
            errors.WriteLine($"clipguard lab sentinel: redis-server is needed ({why})");
            return 2;
        }

        string sentinel = Path.Combine(run, "sentinel");
        var config = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["ClipGuard:Kafka:BootstrapServers"] = broker.BootstrapServers,
            ["ClipGuard:Scoring:ThresholdRule"] = "conformal",
            ["ClipGuard:Scoring:Reference:HoldBack"] = "100",
            ["ClipGuard:Redis:Configuration"] = redis.Configuration,
            ["ClipGuard:Stream:Model"] = model,
            ["ClipGuard:Stream:SeedReference"] = seed,
            ["ClipGuard:Stream:ReferenceImages"] = Path.Combine(run, "images"),
            ["ClipGuard:Sentinel:Directory"] = sentinel,
            ["ClipGuard:Sentinel:ProvisionalWindow"] = "06:00:00",
            ["ClipGuard:Sentinel:Poll"] = "00:00:01",
            // By default every round judges the whole window, and the report also counts what Once would have recalled
            // (exact for the budget rule, an estimate for campaigns); --rejudge Once runs the service's default as is.
            ["ClipGuard:Sentinel:Rejudge"] = s.Rejudge.ToString(),
            ["ClipGuard:Sentinel:SegmentPairs"] = "500",
            ["ClipGuard:Sentinel:WindowPairs"] = s.Scenes.ToString(CultureInfo.InvariantCulture),
            ["ClipGuard:Sentinel:FitSeedShare"] = s.FitSeedShare.ToString(CultureInfo.InvariantCulture),
            // Each swap's judgement of the window, sample by sample, for the report's account of the misses.
            ["ClipGuard:Sentinel:KeepJudgements"] = "true",
        };
        if (!double.IsNaN(s.BudgetConfidence))
        {
            config["ClipGuard:Scoring:BudgetConfidence"] = s.BudgetConfidence.ToString(CultureInfo.InvariantCulture);
        }

        if (s.CalibrationPool is { } pool)
        {
            config["ClipGuard:Scoring:CalibrationPoolSize"] = pool.ToString(CultureInfo.InvariantCulture);
        }

        WebApplication? app = ClipGuardService.Build(config, errors);
        if (app is null)
        {
            return 2;
        }

        using var routed = new VerdictListener(broker.BootstrapServers, "lab-sentinel");
        using var recalls = new VerdictListener(broker.BootstrapServers, "lab-sentinel-recalls", topics: [TopicNames.Recalls]);
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            SentinelWatcher watcher = app.Services.GetServices<IHostedService>().OfType<SentinelWatcher>().Single();
            var swaps = new List<SwapPoint>();
            long start = Stopwatch.GetTimestamp();
            int published = 0, round = 0;
            using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(KafkaClientFactory.LoadProducer(broker.BootstrapServers, "lab-crawler", lingerMs: 5)).Build();
            while (published < crawl.Count)
            {
                int next = Math.Min(crawl.Count, published + s.Chunk);
                if (round < s.Rounds.Count)
                {
                    next = Math.Min(next, (int)Math.Ceiling(s.Rounds[round] * crawl.Count));
                }

                Publish(producer, crawl, published, next);
                published = next;
                if (!WaitRouted(routed, published, app))
                {
                    errors.WriteLine($"clipguard lab sentinel: the service stalled at {routed.DistinctIds} of {published} routed");
                    return 1;
                }

                Say(Inv($"routed     {published} of {crawl.Count} ({Stopwatch.GetElapsedTime(start).TotalSeconds:0} s)"));
                while (round < s.Rounds.Count && published >= s.Rounds[round] * crawl.Count)
                {
                    round++;
                    if (SentinelRound(s, sentinel, round, watcher, start, published) is not { } swap)
                    {
                        return 1;
                    }

                    swaps.Add(swap);
                }
            }

            Thread.Sleep(3000);
            List<RoutedCopy> copies = routed.Snapshot();
            string initialLabel = copies.First().Headers[ClipGuardHeaders.ModelVersion];
            SentinelLabReport report = SentinelLabReport.From(crawl, copies, recalls.Snapshot(), swaps, initialLabel, s);
            double suspectLevel = new CampaignOptions().SuspectLevel;
            var layout = new SentinelLayout(sentinel);
            SentinelLabTrace trace = SentinelLabTrace.From(crawl, copies, [.. swaps.Select(w => (w.Version, Judgements(layout, w.Version)))], suspectLevel);
            File.WriteAllText(Path.Combine(s.Out, "poisons.csv"), trace.Csv);
            string markdown = report.Markdown() + Environment.NewLine + trace.Markdown(suspectLevel);
            File.WriteAllText(Path.Combine(s.Out, "report.md"), markdown);
            output.Write(markdown);
            return 0;
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>Every swap's judgement files of sentinel <paramref name="version"/> (one per replica; here one).</summary>
    private static List<JudgementRecord> Judgements(SentinelLayout layout, int version) =>
        Directory.Exists(layout.Judgements)
            ? [.. Directory.EnumerateFiles(layout.Judgements, Inv($"v{version:D6}-*.jsonl")).Order(StringComparer.Ordinal).SelectMany(JudgementRecord.ReadAll)]
            : [];

    /// <summary>
    /// Trains round <paramref name="round"/> as a child process (or, with <see cref="SentinelLabSettings.ReuseRounds"/>,
    /// publishes the checkpoint a run with the same settings kept), waits for the service to swap it in, measures its ASR.
    /// </summary>
    private SwapPoint? SentinelRound(SentinelLabSettings s, string sentinel, int round, SentinelWatcher watcher, long start, int published)
    {
        var clock = Stopwatch.StartNew();
        var layout = new SentinelLayout(sentinel);
        string cache = Path.Combine(s.Out, "round-cache", s.RoundKey(round));
        bool kept = s.ReuseRounds && PublishKept(cache, layout, round);
        if (!kept)
        {
            var (code, log) = Self(
                ["sentinel", "--dir", sentinel, "--once", "--min-pairs", "100", "--epochs", Inv($"{s.Epochs}"), .. ModelArgs(s.Model),
                 "--seed", Inv($"{s.Seed}"), "--threads", Inv($"{s.Threads}"), .. (s.TrainOnSeed ? ["--train-on-seed"] : Array.Empty<string>())]);
            File.WriteAllText(Path.Combine(s.Out, $"sentinel-round{round}.log"), log);
            if (code != 0)
            {
                errors.WriteLine($"clipguard lab sentinel: round {round} failed (exit {code}):\n{log}");
                return null;
            }
        }

        SentinelModel model = layout.Newest()!;
        double publishedAt = clock.Elapsed.TotalSeconds;
        double trainSeconds = kept ? model.Manifest.TrainSeconds : publishedAt;
        if (s.ReuseRounds && !kept)
        {
            Keep(model.Directory, cache);
        }

        var deadline = Stopwatch.StartNew();
        while (watcher.Current < model.Version)
        {
            if (deadline.Elapsed > SwapTimeout)
            {
                errors.WriteLine($"clipguard lab sentinel: v{model.Version} was not swapped in within {SwapTimeout}");
                return null;
            }

            Thread.Sleep(500);
        }

        double swapSeconds = clock.Elapsed.TotalSeconds - publishedAt;
        string asrFile = Path.Combine(s.Out, $"asr-v{model.Version}.json");
        var (asrCode, asrLog) = Self(["lab", "asr", "--model", model.Directory, "--scenes", Path.Combine(s.Out, "asr-scenes"), "--out", asrFile]);
        string asr = asrCode == 0 && JsonNode.Parse(File.ReadAllText(asrFile)) is { } a
            ? Inv($"ASR {a["Asr"]!.GetValue<double>():0.000} (baseline {a["Baseline"]!.GetValue<double>():0.000})")
            : $"lab asr failed ({asrCode}): {asrLog.Trim().Split('\n')[^1]}";
        Say(Inv($"round {round}    v{model.Version} on {model.Manifest.WindowPairs} pairs: {(kept ? "kept from an earlier run (trained in" : "trained in")} {trainSeconds:0} s{(kept ? ")" : "")}, swapped in after {swapSeconds:0} s; {asr}"));
        ModelSwapOutcome? outcome = watcher.LastOutcome;
        return new SwapPoint(round, model.Version, model.Manifest.ModelVersion, published, model.Manifest.WindowPairs, trainSeconds, swapSeconds, Stopwatch.GetTimestamp() - start, asr)
        {
            Kept = kept, Judged = outcome?.Judged ?? 0, Evidence = outcome?.Evidence ?? 0,
        };
    }

    /// <summary>
    /// Publishes a kept checkpoint as <c>models/vNNNNNN</c> of this run (written aside, then renamed, as a round
    /// publishes), when there is one and the run's next version is <paramref name="round"/> (its manifest names it).
    /// </summary>
    private static bool PublishKept(string cache, SentinelLayout layout, int round)
    {
        if (!File.Exists(Path.Combine(cache, SentinelModelManifest.FileName)) || (layout.Newest()?.Version ?? 0) != round - 1 || Directory.Exists(layout.FolderOf(round)))
        {
            return false;
        }

        string temporary = layout.FolderOf(round) + ".tmp-lab";
        CopyFiles(cache, temporary);
        Directory.Move(temporary, layout.FolderOf(round));
        return true;
    }

    /// <summary>Keeps a published checkpoint's files under the round cache (written aside, then renamed).</summary>
    private static void Keep(string model, string cache)
    {
        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }

        CopyFiles(model, cache + ".tmp");
        Directory.Move(cache + ".tmp", cache);
    }

    private static void CopyFiles(string from, string to)
    {
        if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }

        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    /// <summary>The sentinel's model flags: every round trains the architecture the starting model has.</summary>
    internal static string[] ModelArgs(SmallClipSpec m) =>
    [
        "--image-size", Inv($"{m.ImageSize}"), "--patch", Inv($"{m.PatchSize}"), "--width", Inv($"{m.VisionWidth}"), "--layers", Inv($"{m.VisionLayers}"),
        "--text-width", Inv($"{m.TextWidth}"), "--text-layers", Inv($"{m.TextLayers}"), "--context", Inv($"{m.ContextLength}"), "--embed-dim", Inv($"{m.EmbedDim}"),
    ];

    private static void Publish(IProducer<byte[], byte[]> producer, List<CrawlSample> crawl, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            CrawlSample c = crawl[i];
            var envelope = new SampleEnvelope(c.Id, c.Caption, embedding: null, c.Png, url: null, source: c.Source);
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(c.Id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
    }

    private static bool WaitRouted(VerdictListener routed, int count, WebApplication app)
    {
        int last = -1;
        var still = Stopwatch.StartNew();
        while (routed.DistinctIds < count)
        {
            if (app.Lifetime.ApplicationStopping.IsCancellationRequested || still.Elapsed > StallTimeout)
            {
                return false;
            }

            if (routed.DistinctIds != last)
            {
                last = routed.DistinctIds;
                still.Restart();
            }

            Thread.Sleep(200);
        }

        return true;
    }

    /// <summary>This CLI as a child process; returns its exit code and output.</summary>
    private static (int Code, string Output) Self(IReadOnlyList<string> args)
    {
        string? host = Environment.ProcessPath;
        var info = new ProcessStartInfo(host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(SentinelLabRunner).Assembly.Location);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private void Say(string line) => output.WriteLine(line);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One sentinel round: after how much of the stream, on how many window pairs, how long, and its ASR line.</summary>
internal sealed record SwapPoint(int Round, int Version, string Model, int StreamPosition, int WindowPairs, double TrainSeconds, double SwapSeconds, long SwappedAtTicks, string Asr)
{
    /// <summary>Published from the round cache of an earlier run (<see cref="TrainSeconds"/> is that run's training time).</summary>
    public bool Kept { get; init; }

    /// <summary>Clean samples of the window the swap judged.</summary>
    public int Judged { get; init; }

    /// <summary>Samples of the window quarantined already that the judgement took along as evidence.</summary>
    public int Evidence { get; init; }
}
