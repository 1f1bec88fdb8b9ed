using System.Text.Json;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary><c>clipguard quarantine</c> as a real child process against a real redis-server and the dev broker.</summary>
public sealed class QuarantineCliTests(OperatorServices services)
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_shows_the_record_and_release_exits_0_then_3_with_one_copy_on_the_clean_topic()
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();
        var original = Seeds.Record("laion-020001", "a lighthouse at dusk", "crawl-9");
        await Seeds.StoreAsync(services.Redis.Configuration, prefix, original);
        string[] ledger = ["--redis", services.Redis.Configuration, "--key-prefix", prefix];

        var list = await RunAsync(["quarantine", "list", .. ledger]);
        Assert.Equal(0, list.ExitCode);
        string row = Assert.Single(list.StandardOutput.Split('\n'), l => l.StartsWith("laion-020001 ", StringComparison.Ordinal));
        Assert.Contains("quarantined", row, StringComparison.Ordinal);
        Assert.Contains("crawl-9", row, StringComparison.Ordinal);
        Assert.Contains("a lighthouse at dusk", row, StringComparison.Ordinal);

        var json = await RunAsync(["quarantine", "list", "--source", "crawl-9", "--json", .. ledger]);
        Assert.Equal(0, json.ExitCode);
        using (var page = JsonDocument.Parse(json.StandardOutput))
        {
            Assert.Equal(["laion-020001"], page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        }

        var show = await RunAsync(["quarantine", "show", "laion-020001", .. ledger]);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("laion-000017", show.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0x00ff7f80", show.StandardOutput, StringComparison.Ordinal);

        string[] release = ["quarantine", "release", "laion-020001", "--actor", "mallory", "--reason", "benign",
            "--bootstrap", services.Broker.BootstrapServers, "--clean-topic", topic, .. ledger];
        var first = await RunAsync(release);
        Assert.True(first.ExitCode == 0, first.StandardError);
        Assert.Contains("released laion-020001: applied", first.StandardOutput, StringComparison.Ordinal);
        var second = await RunAsync(release);
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("already_released", second.StandardError, StringComparison.Ordinal);

        ReleasedCopy.AssertCopyOf(original, "mallory", Assert.Single(TopicReader.ReadExactly(
            services.Broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2))));

        var audit = await RunAsync(["quarantine", "audit", "laion-020001", "--json", .. ledger]);
        Assert.Equal(0, audit.ExitCode);
        using var trail = JsonDocument.Parse(audit.StandardOutput);
        Assert.Equal(
            ["release_claim/claimed", "release_confirm/applied", "release_claim/already_released"],
            trail.RootElement.GetProperty("entries").EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()}/{e.GetProperty("outcome").GetString()}"));
    }

    [Fact]
    public async Task Reject_unknown_ids_and_bad_input_map_to_their_exit_codes()
    {
        string prefix = OperatorServices.NewPrefix();
        await Seeds.StoreAsync(services.Redis.Configuration, prefix, Seeds.Record("laion-030003"));
        string[] ledger = ["--redis", services.Redis.Configuration, "--key-prefix", prefix];

        Assert.Equal(0, (await RunAsync(["quarantine", "reject", "laion-030003", "--actor", "oscar", .. ledger])).ExitCode);
        Assert.Equal(3, (await RunAsync(["quarantine", "reject", "laion-030003", "--actor", "oscar", .. ledger])).ExitCode);
        Assert.Equal(2, (await RunAsync(["quarantine", "show", "no-such-id", .. ledger])).ExitCode);
        Assert.Equal(2, (await RunAsync(["quarantine", "release", "no-such-id", "--bootstrap", services.Broker.BootstrapServers, .. ledger])).ExitCode);

        // A release without a broker address is refused before anything is claimed.
        Assert.Equal(2, (await RunAsync(["quarantine", "release", "laion-030003", .. ledger])).ExitCode);
        Assert.Equal(2, (await RunAsync(["quarantine", "list", "--status", "bogus", .. ledger])).ExitCode);
        Assert.Equal(2, (await RunAsync(["quarantine", "list", "--count", "0", .. ledger])).ExitCode);

        var rejected = await RunAsync(["quarantine", "list", "--status", "rejected", .. ledger]);
        Assert.Contains(rejected.StandardOutput.Split('\n'), l => l.StartsWith("laion-030003 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_redis_down_every_verb_exits_4()
    {
        await using var redis = await RedisServerProcess.StartAsync(Ct);
        string[] ledger = ["--redis", redis.Configuration, "--key-prefix", OperatorServices.NewPrefix()];
        await redis.StopAsync();

        string[][] verbs =
        [
            ["quarantine", "list", .. ledger],
            ["quarantine", "show", "laion-1", .. ledger],
            ["quarantine", "release", "laion-1", "--bootstrap", services.Broker.BootstrapServers, .. ledger],
            ["quarantine", "reject", "laion-1", .. ledger],
        ];
        await Task.WhenAll(verbs.Select(async args =>
        {
            var result = await RunAsync(args);
            Assert.True(result.ExitCode == 4, $"{string.Join(' ', args)}: {result.ExitCode} {result.StandardError}");
            Assert.Contains("unavailable", result.StandardError, StringComparison.OrdinalIgnoreCase);
        }));
    }

    private static Task<CliResult> RunAsync(string[] args) => CliProcess.RunAsync(args, CliTimeout, Ct);
}
