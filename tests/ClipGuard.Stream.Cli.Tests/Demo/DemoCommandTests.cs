using System.Globalization;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Cli.Tests.Demo;

/// <summary>`clipguard demo --exit` end to end as a child process: dev broker, redis-server, the service, the report.</summary>
public sealed partial class DemoCommandTests : IDisposable
{
    private const string TinyVit = """
        {
          "embed_dim": 16,
          "vision_cfg": { "image_size": 28, "layers": 1, "width": 32, "patch_size": 7, "head_width": 8 },
          "text_cfg": { "context_length": 16, "vocab_size": 512, "width": 32, "heads": 4, "layers": 1 }
        }
        """;

    /// <summary>
    /// The first run trains the demo's CLIP: about three minutes on 2 idle cores (388 samples/s), far longer beside the
    /// other test projects, which CI runs at the same time: one clean-clone run trained at 60–86 samples/s and was cut
    /// off at 12 minutes with its training just done. This limit bounds a hang, not the demo's speed (docs/demo.md
    /// reports that).
    /// </summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(25);
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-demo-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_demo_trains_its_CLIP_streams_the_poisoned_scenes_and_reports_against_the_planted_truth()
    {
        Assert.SkipUnless(RedisServerChildInstalled(), "redis-server is not installed (bash scripts/install-deps.sh test)");
        // The README's cache: a developer who ran ./clipguard demo has the model already; a clean clone trains it here.
        CliResult r = await RunDemoAsync("--cache", RepositoryFiles.PathOf(DemoSettings.DefaultCacheDirectory));
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        string o = r.StandardOutput;
        Assert.Contains("embedding  the demo CLIP", o, StringComparison.Ordinal);
        Assert.Contains("kdist image density fused with image-caption agreement", o, StringComparison.Ordinal);
        Assert.Contains("ledger     redis-server", o, StringComparison.Ordinal);

        (int clean, int quarantined, int dead) = Routes(o);
        Assert.Equal(3000, clean + quarantined + dead);
        Assert.Equal(0, dead);
        Match planted = PlantedLine().Match(o);
        Assert.True(planted.Success, o);
        Assert.Equal(30, Int(planted, "planted"));
        int caught = Int(planted, "caught");
        int falseAlarms = Int(planted, "false");
        Assert.Equal(quarantined, caught + falseAlarms);

        // A broken model or rule ranks the plants at chance (AUROC about 0.5) and confirms no campaign, so at the default
        // operating point (campaigns, a 0.01 % budget the demo's calibration cannot reach) it catches none of 30. The
        // README's promise: precision and recall of the quarantine route both at least 0.9 (measured: 1.000 and 1.000,
        // docs/demo.md).
        double auroc = double.Parse(AurocLine().Match(o).Groups["auroc"].Value, CultureInfo.InvariantCulture);
        Assert.True(auroc > 0.9, o);
        Assert.True(caught >= 27, o);
        Assert.True(falseAlarms <= 3, o);
        Assert.Contains("the service's default operating point", o, StringComparison.Ordinal);

        // The learned trigger's copies are confirmed as one campaign by image (measured: 30 planted and 0 clean members).
        Match campaign = CampaignLine().Match(o);
        Assert.True(campaign.Success, o);
        Assert.True(Int(campaign, "planted") >= 20 && Int(campaign, "clean") <= 2, o);
        Assert.Matches(@"wall time  \d+\.\d s", o);
        Assert.Matches(@"console    http://127\.0\.0\.1:\d+/console/   token: [0-9a-f]{32}", o);
    }

    [Fact]
    public async Task With_a_checkpoint_directory_the_service_embeds_the_images_itself()
    {
        string model = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        string config = Path.Combine(model, "tiny-vit.json");
        await File.WriteAllTextAsync(config, TinyVit, Ct);
        using (var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), "tiny-vit", seed: 3))
        {
            embedder.Save(Path.Combine(model, "open_clip_model.safetensors"));
        }

        CliResult r = await RunDemoAsync("--samples", "300", "--model", model, "--in-memory-ledger");
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        Assert.Contains($"embedding  {model} (--model)", r.StandardOutput, StringComparison.Ordinal);
        // Its text tower has a 512-token vocabulary: the decision runs on image density alone, and says so.
        Assert.Contains("image density only (the model's text tower does not read CLIP's vocabulary", r.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("fused with image-caption agreement", r.StandardOutput, StringComparison.Ordinal);
        (int clean, int quarantined, int dead) = Routes(r.StandardOutput);
        Assert.Equal((300, 0), (clean + quarantined, dead));

        // Without Redis there is no console, and the demo says so rather than printing a dead URL.
        Assert.Contains("ledger     IN MEMORY (--in-memory-ledger was given)", r.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("console    off", r.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("/console/", r.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--samples 50", "--samples must be within")]
    [InlineData("--poison-rate 0", "--poison-rate must be in")]
    [InlineData("--token short", "--token must have at least")]
    [InlineData("--data /nonexistent/fashion-mnist", "install it with: bash scripts/install-deps.sh run")]
    [InlineData("--model /nonexistent/model", "--model /nonexistent/model: no such folder")]
    public void Bad_demo_input_is_one_line_on_stderr_and_exit_code_2(string args, string expected)
    {
        var error = new StringWriter();
        var runner = new DemoRunner(TextWriter.Null, error);
        string[] a = args.Split(' ');
        var settings = new DemoSettings(
            a[0] == "--samples" ? int.Parse(a[1], CultureInfo.InvariantCulture) : 1000,
            a[0] == "--poison-rate" ? double.Parse(a[1], CultureInfo.InvariantCulture) : 0.01,
            Seed: 7,
            ModelDirectory: a[0] == "--model" ? a[1] : null,
            CacheDirectory: _dir,
            DataDirectory: a[0] == "--data" ? a[1] : FashionMnist.DefaultDirectory,
            Exit: true,
            Port: 0,
            Token: a[0] == "--token" ? a[1] : null,
            InMemoryLedger: true,
            Detector: "kdist");
        Assert.Equal(2, runner.Run(settings));
        string text = error.ToString();
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static bool RedisServerChildInstalled() => RedisServerProcess.FindExecutable() is not null;

    private static Task<CliResult> RunDemoAsync(params string[] args) => CliProcess.RunAsync(["demo", "--exit", .. args], Limit, Ct);

    private static (int Clean, int Quarantined, int Dead) Routes(string output)
    {
        Match m = RoutesLine().Match(output);
        Assert.True(m.Success, output);
        return (Int(m, "clean"), Int(m, "quarantine"), Int(m, "dead"));
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"routes +clean (?<clean>\d+), quarantine (?<quarantine>\d+), dead-letter (?<dead>\d+)")]
    private static partial Regex RoutesLine();

    [GeneratedRegex(@"planted +(?<planted>\d+) poisoned pairs: (?<caught>\d+) quarantined, \d+ missed; (?<false>\d+) clean pairs quarantined")]
    private static partial Regex PlantedLine();

    [GeneratedRegex(@"AUROC +(?<auroc>[0-9.]+)")]
    private static partial Regex AurocLine();

    [GeneratedRegex(@"campaigns +campaign-[0-9a-f]{8}-1: (?<planted>\d+) planted and (?<clean>\d+) clean pairs quarantined as members\r?$", RegexOptions.Multiline)]
    private static partial Regex CampaignLine();
}
