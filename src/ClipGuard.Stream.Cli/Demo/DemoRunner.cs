using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ClipGuard.Stream.Cli.Streaming;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Offline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// `clipguard demo`: everything a first run needs, in this process (dev broker, the service, a downstream consumer)
/// plus redis-server as a child when installed. Trains (first run) or finds the demo's CLIP, publishes a poisoned crawl
/// of lab scenes, streams it through the filter with a trusted seed, reports against the planted ground truth, then
/// keeps the operator console open.
/// </summary>
internal sealed class DemoRunner(TextWriter output, TextWriter errors)
{
    /// <summary>Longest the service may go without routing one more sample before the demo gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Partitions of the input and output topics.</summary>
    private const int Partitions = 16;

    public int Run(DemoSettings settings)
    {
        if (settings.Error() is { } error)
        {
            return Fail(error);
        }

        var wall = Stopwatch.StartNew();
        ImageSet items;
        try
        {
            items = FashionMnist.Load(settings.DataDirectory, train: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail($"cannot read Fashion-MNIST from {settings.DataDirectory} ({e.Message}); install it with: bash scripts/install-deps.sh run");
        }

        string model;
        try
        {
            model = settings.ModelDirectory ?? DemoModel.Ensure(settings.CacheDirectory, settings.DataDirectory, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or OfflineInputException or ArgumentException)
        {
            return Fail($"cannot train the demo's CLIP in {settings.CacheDirectory} ({e.Message})", 1);
        }

        // The service embeds captions (and fuses their agreement into the decision) only with a model whose text
        // tower reads CLIP's vocabulary; the demo says which decision the user is watching.
        bool captions;
        try
        {
            captions = ClipModelConfig.Load(ModelSource.Resolve(model).ConfigPath).ReadsClipVocabulary;
        }
        catch (Exception e) when (e is CheckpointException or ModelConfigException or IOException or UnauthorizedAccessException)
        {
            return Fail($"--model {model}: {e.Message}");
        }

        SceneOptions recipe = SceneCrawl.Recipe(settings.DataDirectory, settings.Samples, settings.Poisons, settings.Seed);
        List<CrawlSample> crawl = SceneCrawl.Build(recipe, items, "crawl-");
        DirectoryInfo seed = Directory.CreateTempSubdirectory("clipguard-demo-seed-");
        try
        {
            SceneCrawl.WriteSeed(settings.DataDirectory, items, DemoSettings.SeedSize, settings.Seed + 1, seed.FullName);
            Say($"crawl      {crawl.Count} lab scenes (Fashion-MNIST test-split items, nearly unique captions), {crawl.Count(c => c.Poisoned)} of them poisoned: {SceneCrawl.Describe(recipe)}");
            Say($"seed       {DemoSettings.SeedSize} trusted clean scenes, embedded by the service with its model (run --seed-reference DIR)");
            Say(settings.ModelDirectory is null
                ? $"embedding  the demo CLIP {Path.GetFullPath(model)}: the service embeds every image and caption itself"
                : $"embedding  {Path.GetFullPath(model)} (--model): the service embeds every image and caption itself");
            return Stream(settings, crawl, model, captions, seed.FullName, wall);
        }
        finally
        {
            seed.Delete(recursive: true);
        }
    }

    private int Stream(DemoSettings settings, List<CrawlSample> crawl, string model, bool captions, string seedFolder, Stopwatch wall)
    {
        // Well inside the mock broker's ~5 MB per partition: the crawl's PNGs spread over 16 partitions.
        using DevKafkaBroker broker = InProcessStream.StartBroker(Partitions);
        Say($"broker     dev broker (librdkafka mock cluster, in this process) at {broker.BootstrapServers}");
        string why = "--in-memory-ledger was given";
        using RedisServerProcess? redis = settings.InMemoryLedger ? null : RedisServerProcess.TryStart(out why);
        string? token = redis is null ? null : settings.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Say(redis is null
            ? $"ledger     IN MEMORY ({why}): quarantined samples are lost on exit, and the operator console, which needs Redis, is off"
            : $"ledger     redis-server (a child of this process) at {redis.Configuration.Split(',')[0]}");
        string signals = captions
            ? "image density fused with image-caption agreement"
            : "image density only (the model's text tower does not read CLIP's vocabulary, so captions are not embedded)";
        Say(Inv($"decision   the service's default operating point: conformal rule, {settings.Detector} {signals}, campaigns confirmed by image, false-quarantine budget {StreamScorerOptions.DefaultFalseQuarantineRate:P2} of clean pairs (reached at {Math.Ceiling((captions ? 2 : 1) / StreamScorerOptions.DefaultFalseQuarantineRate) - 1:N0} calibration scores; until then only campaigns quarantine: docs/detection.md)"));

        // The message carries the image and its caption, as a crawler without a GPU would send them.
        InProcessStream.Publish(broker.BootstrapServers, "clipguard-demo-crawler", InProcessStream.Serialize(
            crawl.Select(s => new SampleEnvelope(s.Id, s.Caption, embedding: null, s.Png, url: null, source: s.Source))));
        var service = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:" + settings.Port.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["ClipGuard:Kafka:BootstrapServers"] = broker.BootstrapServers,
            ["ClipGuard:Scoring:Detector"] = settings.Detector,
            ["ClipGuard:Scoring:ThresholdRule"] = "conformal",
            ["ClipGuard:Scoring:Reference:HoldBack"] = "100",
            ["ClipGuard:Redis:Configuration"] = redis?.Configuration,
            ["ClipGuard:Api:Token"] = token,
            ["ClipGuard:Stream:Model"] = model,
            ["ClipGuard:Stream:SeedReference"] = seedFolder,
        };
        WebApplication? app = InProcessStream.Build(service, errors);
        if (app is null)
        {
            return 2;
        }

        // A downstream consumer of the outputs, as a user would run one: progress and report come from what arrived there.
        using var collector = new VerdictListener(broker.BootstrapServers, "clipguard-demo");
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (OptionsValidationException e)
        {
            return Fail($"invalid service configuration: {string.Join("; ", e.Failures)}");
        }

        try
        {
            var clock = Stopwatch.StartNew();
            if (!Follow(collector, crawl.Count, app))
            {
                return Fail($"the service stopped or stalled before routing every sample ({collector.DistinctIds} of {crawl.Count}); its log is above", 1);
            }

            if (broker.CheckRetention().Values.Sum() is > 0 and long lost)
            {
                Say($"WARNING    the dev broker dropped {lost} messages past its ~5 MiB per partition: a downstream reader that was late lost them");
            }

            double seconds = clock.Elapsed.TotalSeconds;
            Say(Inv($"filter     routed all {crawl.Count} samples in {seconds:F1} s ({crawl.Count / seconds:F0} samples/s, start-up and seed embedding included)"));
            output.WriteLine();
            output.WriteLine("Quarantine report");
            DemoReport.From(crawl, collector.Snapshot()).Write(output);
            output.WriteLine();
            Say(Inv($"wall time  {wall.Elapsed.TotalSeconds:F1} s (after the build)"));
            return KeepConsoleOpen(app, token, settings.Exit);
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>Shows progress until every sample was routed; false when the service stopped or stalled first.</summary>
    private bool Follow(VerdictListener collector, int total, WebApplication app)
    {
        CancellationToken stopping = app.Lifetime.ApplicationStopping;
        if (Console.IsErrorRedirected)
        {
            int reported = 0;
            return InProcessStream.WaitUntilRouted(collector, total, stopping, StallTimeout, routed =>
            {
                for (; reported < 4 && routed >= total * (reported + 1) / 4; reported++)
                {
                    Say(Inv($"progress   {routed} of {total} routed"));
                }
            });
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("filtering", maxValue: total);
                return InProcessStream.WaitUntilRouted(collector, total, stopping, StallTimeout, routed =>
                {
                    task.Value = routed;
                    task.Description = Inv($"filtering: {routed}/{total} routed");
                });
            });
    }

    private int KeepConsoleOpen(WebApplication app, string? token, bool exit)
    {
        if (token is null)
        {
            Say("console    off: it needs the Redis ledger (install redis-server: bash scripts/install-deps.sh run)");
            return 0;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Say($"console    {address}/console/   token: {token}");
        if (exit || Console.IsInputRedirected)
        {
            Say("done       (--exit or no terminal: stopping now; run it in a terminal to keep the console open)");
            return 0;
        }

        Say("           release or reject the quarantined samples there; Ctrl-C stops the demo");
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>Exit code 2 for bad input or a missing prerequisite, 1 when the run itself failed.</summary>
    private int Fail(string message, int exitCode = 2)
    {
        errors.WriteLine($"clipguard demo: {message}");
        return exitCode;
    }

    private void Say(string line) => output.WriteLine(line);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
