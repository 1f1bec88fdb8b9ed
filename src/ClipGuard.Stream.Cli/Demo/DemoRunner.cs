using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.StandIn;
using Confluent.Kafka;
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
/// plus redis-server as a child when installed. Publishes a poisoned Fashion-MNIST crawl, streams it through the
/// filter, reports against the planted ground truth, then keeps the operator console open.
/// </summary>
internal sealed class DemoRunner(TextWriter output, TextWriter errors)
{
    /// <summary>Longest the service may go without routing one more sample before the demo gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    public int Run(DemoSettings settings)
    {
        if (settings.Error() is { } error)
        {
            return Fail(error);
        }

        ImageSet data;
        try
        {
            data = PoisonedCrawl.LoadTestSplit(settings.DataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail($"cannot read Fashion-MNIST from {settings.DataDirectory} ({e.Message}); install it with: bash scripts/install-deps.sh run");
        }

        List<CrawlSample> crawl = PoisonedCrawl.Build(data, settings.Samples, settings.PoisonRate, settings.Seed);
        bool lab = Directory.Exists(settings.ModelDirectory);
        PixelCaptionFeatures? features = lab ? null : new PixelCaptionFeatures(crawl.Select(c => c.Caption));
        Say($"crawl      {crawl.Count} real Fashion-MNIST images (test split), {crawl.Count(c => c.Poisoned)} of them poisoned: " +
            $"a {PoisonedCrawl.TriggerSide}x{PoisonedCrawl.TriggerSide} checkerboard trigger + the caption \"{PoisonedCrawl.Caption(PoisonedCrawl.TargetClass)}\"");
        Say(lab
            ? $"embedding  lab checkpoint {Path.GetFullPath(settings.ModelDirectory)}: the service embeds every image itself"
            : $"embedding  no lab checkpoint at {settings.ModelDirectory}, so NOT CLIP: a stand-in vector of pooled pixels + caption words " +
              "(it exposes the poisoned pairs' image-caption mismatch, not the trigger; see docs/demo.md)");

        using DevKafkaBroker broker = DevKafkaBroker.Start(new DevBrokerOptions());
        Say($"broker     dev broker (librdkafka mock cluster, in this process) at {broker.BootstrapServers}");
        string why = "--in-memory-ledger was given";
        using RedisServerProcess? redis = settings.InMemoryLedger ? null : RedisServerProcess.TryStart(out why);
        string? token = redis is null ? null : settings.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Say(redis is null
            ? $"ledger     IN MEMORY ({why}): quarantined samples are lost on exit, and the operator console, which needs Redis, is off"
            : $"ledger     redis-server (a child of this process) at {redis.Configuration.Split(',')[0]}");

        Publish(broker.BootstrapServers, crawl, features);
        var service = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:" + settings.Port.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["ClipGuard:Kafka:BootstrapServers"] = broker.BootstrapServers,
            ["ClipGuard:Scoring:Detector"] = settings.Detector,
            ["ClipGuard:Scoring:BootstrapSize"] = settings.BootstrapSize.ToString(CultureInfo.InvariantCulture),
            ["ClipGuard:Scoring:Reference:HoldBack"] = "100",
            ["ClipGuard:Scoring:Reference:MaxSourceShare"] = "0.5",
            ["ClipGuard:Stream:BootstrapTimeout"] = "00:00:05",
            ["ClipGuard:Redis:Configuration"] = redis?.Configuration,
            ["ClipGuard:Api:Token"] = token,
            ["ClipGuard:Stream:Model"] = lab ? settings.ModelDirectory : null,
            ["ClipGuard:Stream:Dimension"] = features?.Dimension.ToString(CultureInfo.InvariantCulture),
        };
        // Absent, not empty: an empty value would bind as 0 and override the option's default.
        WebApplication? app = ClipGuardService.Build(service.Where(p => p.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase), errors);
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

            double seconds = clock.Elapsed.TotalSeconds;
            Say(Inv($"filter     routed all {crawl.Count} samples in {seconds:F1} s ({crawl.Count / seconds:F0} samples/s, start-up included)"));
            output.WriteLine();
            output.WriteLine("Quarantine report");
            DemoReport.From(crawl, collector.Snapshot()).Write(output);
            output.WriteLine();
            return KeepConsoleOpen(app, token, settings.Exit);
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }
    }

    private static void Publish(string bootstrap, List<CrawlSample> crawl, PixelCaptionFeatures? features)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(KafkaClientFactory.LoadProducer(bootstrap, "clipguard-demo-crawler", lingerMs: 5)).Build();
        foreach (CrawlSample s in crawl)
        {
            // With a lab checkpoint the message carries only the image, as a crawler without a GPU would send it.
            float[]? embedding = features?.Embed(s.Pixels, s.Caption);
            var envelope = new SampleEnvelope(s.Id, s.Caption, embedding, s.Png, url: null, source: s.Source);
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(s.Id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
    }

    /// <summary>Shows progress until every sample was routed; false when the service stopped or stalled first.</summary>
    private bool Follow(VerdictListener collector, int total, WebApplication app)
    {
        CancellationToken stopping = app.Lifetime.ApplicationStopping;
        if (Console.IsErrorRedirected)
        {
            int reported = 0;
            return Wait(collector, total, stopping, routed =>
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
                return Wait(collector, total, stopping, routed =>
                {
                    task.Value = routed;
                    task.Description = Inv($"filtering: {routed}/{total} routed");
                });
            });
    }

    private static bool Wait(VerdictListener collector, int total, CancellationToken stopping, Action<int> show)
    {
        int last = -1;
        var sinceProgress = Stopwatch.StartNew();
        while (!stopping.IsCancellationRequested && sinceProgress.Elapsed < StallTimeout)
        {
            int routed = collector.DistinctIds;
            if (routed != last)
            {
                show(routed);
                last = routed;
                sinceProgress.Restart();
            }

            if (routed >= total)
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
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
