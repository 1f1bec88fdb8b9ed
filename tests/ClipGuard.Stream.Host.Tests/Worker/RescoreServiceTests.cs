using System.Globalization;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>Two replicas of the service with a short re-score period: the Redis lock lets one run each re-score.</summary>
public sealed partial class RescoreServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-rescore-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReplicasTakeTurnsAndEveryReScoreReportsExactState()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(3000, 32, 10, 0.02, 31);
        string x = Path.Combine(_dir, "x.npy");
        Npy.Write(x, data);
        CliResult published = await CliProcess.RunAsync(["publish", "--embeddings", x, "--bootstrap", broker.BootstrapServers], TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.True(published.ExitCode == 0, published.StandardError);

        string[] args = ["--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--dimension", "32", "--bootstrap-size", "500", "--hold-back", "50", "--max-source-share", "1", "--rescore-interval", "00:00:02"];
        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var a = ServiceProcess.Start(args);
        await using var b = ServiceProcess.Start(args);
        outputs.WaitForDistinct(3000, TimeSpan.FromMinutes(3), () => a.Output + b.Output, () => a.HasExited || b.HasExited);
        DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Fences(a.Output).Count + Fences(b.Output).Count < 4 && DateTime.UtcNow < until)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        List<long> fencesA = Fences(a.Output), fencesB = Fences(b.Output);
        Assert.True(fencesA.Count + fencesB.Count >= 4, a.Output + b.Output);
        Assert.Empty(fencesA.Intersect(fencesB));
        Assert.Equal(fencesA.Count + fencesB.Count, fencesA.Concat(fencesB).Distinct().Count());
        Assert.All(Drifts().Matches(a.Output + b.Output), m => Assert.Equal("0", m.Groups[1].Value));
        Assert.Equal(0, await a.StopAsync());
        Assert.Equal(0, await b.StopAsync());
    }

    private static List<long> Fences(string log) =>
        [.. FenceRegex().Matches(log).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"Full re-score \(fence (\d+)\)")]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"Full re-score \(fence \d+\): drift members=\d+ neighbour_mismatches=(\d+)")]
    private static partial Regex Drifts();
}
