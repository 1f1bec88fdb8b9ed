using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// The issue's must-show: `clipguard run` routes a small crawl from the dev broker while Debian's Prometheus scrapes
/// its /metrics; the scraped text passes `promtool check metrics`, and the dashboard's metric names are in it.
/// </summary>
public sealed partial class PrometheusScrapeTests : IDisposable
{
    private const int Dim = 16;
    private const int Samples = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-scrape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PrometheusScrapesTheRunningServiceAndTheOutputPassesPromtool()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await PublishAsync(broker.BootstrapServers, cancel);
        int port = FreePorts.FindConsecutive(1);
        string target = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        await using var service = ServiceProcess.Start(
        [
            "--bootstrap", broker.BootstrapServers, "--dimension", Dim.ToString(CultureInfo.InvariantCulture), "--bootstrap-size", "200",
            "--hold-back", "20", "--max-source-share", "0.5", "--max-delay", "00:00:00.050", "--urls", $"http://{target}",
        ]);
        await using PrometheusServer prometheus = await PrometheusServer.StartAsync("clipguard", target, cancel);

        // Prometheus itself sees every routed message (summed over route and source) and the target up.
        double routed = 0;
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (routed < Samples + 1)
        {
            Assert.False(service.HasExited, "clipguard run exited:\n" + service.Output);
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus saw {routed} of {Samples} routed samples\nservice:\n{service.Output}\nprometheus:\n{prometheus.Log}");
            await Task.Delay(500, cancel);
            routed = Value(await prometheus.QueryAsync("sum(clipguard_samples_routed_total)", cancel));
        }

        Assert.Equal(Samples + 1, routed);
        Assert.Equal(1, Value(await prometheus.QueryAsync("up{job=\"clipguard\"}", cancel)));
        JsonElement bySource = await prometheus.QueryAsync("sum by (source) (clipguard_samples_routed_total)", cancel);
        Assert.Equal(["crawler-0", "crawler-1", "crawler-2", "unknown"], bySource.EnumerateArray().Select(r => r.GetProperty("metric").GetProperty("source").GetString()).Order());
        Assert.True(Value(await prometheus.QueryAsync("sum(clipguard_samples_routed_total{route=\"quarantine\"})", cancel)) >= 1, "planted outliers should be quarantined");
        Assert.Equal(1, Value(await prometheus.QueryAsync("clipguard_dead_letters_total{reason=\"invalid_json\"}", cancel)));

        // The exposition itself passes promtool's parser and lint.
        using var http = new HttpClient();
        string exposition = await http.GetStringAsync(new Uri($"http://{target}/metrics"), cancel);
        (int rc, string lint) = await Promtool.RunAsync(["check", "metrics"], exposition);
        Assert.True(rc == 0, $"promtool check metrics exited {rc}:\n{lint}\n{exposition}");

        // Every series the dashboard reads is in the scrape, which also confirms PrometheusNaming against the real
        // exporter. The re-score gauges appear only once a full re-score ran, which this service does not run yet.
        var scraped = SeriesName().Matches(exposition).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var missing = GrafanaDashboard.MetricsAndLabels().Keys.Where(m => !m.StartsWith("clipguard_rescore_", StringComparison.Ordinal) && !scraped.Contains(m)).ToList();
        Assert.True(missing.Count == 0, $"not in the scrape: {string.Join(", ", missing)}\n{exposition}");
        Assert.Equal(0, await service.StopAsync());
    }

    private async Task PublishAsync(string bootstrap, CancellationToken cancel)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Samples, Dim, 5, 0.03, 31);
        string x = Path.Combine(_dir, "x.npy"), ids = Path.Combine(_dir, "ids.txt"), sources = Path.Combine(_dir, "sources.txt");
        Npy.Write(x, data);
        await File.WriteAllLinesAsync(ids, Enumerable.Range(0, Samples).Select(i => $"s{i}"), cancel);
        await File.WriteAllLinesAsync(sources, Enumerable.Range(0, Samples).Select(i => $"crawler-{i % 3}"), cancel);
        CliResult r = await CliProcess.RunAsync(["publish", "--embeddings", x, "--ids", ids, "--sources", sources, "--bootstrap", bootstrap, "--topic", TopicNames.Pairs], TimeSpan.FromMinutes(1), cancel);
        Assert.True(r.ExitCode == 0, r.StandardError);

        // One unparseable message (no source: it counts as "unknown") so the dead-letter counter has a series.
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        await producer.ProduceAsync(TopicNames.Pairs, new Message<byte[], byte[]> { Key = "broken"u8.ToArray(), Value = "{\"id\": \"broken\", "u8.ToArray() }, cancel);
    }

    private static double Value(JsonElement vector) =>
        vector.GetArrayLength() == 0 ? 0 : double.Parse(vector[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", RegexOptions.Multiline)]
    private static partial Regex SeriesName();
}
