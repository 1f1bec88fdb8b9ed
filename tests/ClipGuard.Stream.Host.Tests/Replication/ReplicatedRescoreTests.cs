using System.Globalization;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>
/// The full re-score with real processes (dev broker, redis-server, two replicated `clipguard run` replicas): the
/// replica whose incremental state was corrupted on purpose (the test service's re-score decorator) reports the drift in its first re-score and
/// none afterwards; the Redis lock hands each fencing token to one replica only; the re-score's evictions travel
/// through the reference log, so both replicas still end on the same reference.
/// </summary>
public sealed partial class ReplicatedRescoreTests : IDisposable
{
    private const int Dim = 32;
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-rescore-repl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CorruptedStateIsReportedAndRepairedAndEvictionsReachEveryReplica()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(4500, Dim, 10, 0.03, 91);
        string seed = Path.Combine(_dir, "seed.npy"), x = Path.Combine(_dir, "x.npy");

        // The seed carries planted outliers (poison that slipped in): the re-score must evict them.
        Npy.Write(seed, ReplicaTestKit.Slice(data, 0, 1500));
        Npy.Write(x, ReplicaTestKit.Slice(data, 1500, 3000));
        CliResult published = await CliProcess.RunAsync(["publish", "--embeddings", x, "--bootstrap", broker.BootstrapServers], TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(published.ExitCode == 0, published.StandardError);

        string[] args = ["--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--seed-reference", seed, "--replicate", "--hold-back", "50",
            "--max-source-share", "1", "--capacity", "2500", "--rescore-interval", "00:00:02"];
        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var a = ServiceProcess.StartWithPlantedDrift(args);
        await using var b = ServiceProcess.Start(args);
        string Both() => a.Output + "\n----\n" + b.Output;
        outputs.WaitForDistinct(3000, ReplicaTestKit.Timeout, Both, () => a.HasExited || b.HasExited);
        ReplicaTestKit.Wait(() => Rescores(a.Output).Count >= 2 && Rescores(b.Output).Count >= 1, "two re-scores on the corrupted replica and one on the other", Both, () => a.HasExited || b.HasExited);

        Assert.Contains("Test hook: the maintained k-distance of reference slot", a.Output, StringComparison.Ordinal);
        List<Rescore> fromA = Rescores(a.Output), fromB = Rescores(b.Output);
        Assert.True(fromA[0].Worst > 1, $"the first re-score after the corruption should report it: {fromA[0].Line}");
        Assert.All(fromA.Skip(1).Concat(fromB), r => Assert.True(r.Mismatches == 0 && r.Worst == 0, $"after the repair every re-score is exact: {r.Line}"));

        // One holder per fencing token: the two replicas never ran the re-score under the same lease.
        var fences = fromA.Concat(fromB).Select(r => r.Fence).ToList();
        Assert.Equal(fences.Count, fences.Distinct().Count());

        // The first re-score evicted the planted seed outliers by publishing tombstones; both replicas applied them.
        Assert.Matches(@"Full re-score published [1-9]\d* evictions", Both());
        (long Position, long Version, int Members, string Digest)?[] states = [];
        ReplicaTestKit.Wait(() =>
        {
            long end = ReplicaLog.End(broker.BootstrapServers);
            states = [ReplicaLog.LastState(a.Output), ReplicaLog.LastState(b.Output)];
            return states.All(s => s?.Position == end);
        }, "both replicas at the end of the reference log", Both, () => a.HasExited || b.HasExited);
        Assert.Equal(states[0]!.Value.Digest, states[1]!.Value.Digest);
        Assert.Equal(0, await a.StopAsync());
        Assert.Equal(0, await b.StopAsync());
    }

    private static List<Rescore> Rescores(string log) =>
    [
        .. RescoreRegex().Matches(log).Select(m => new Rescore(
            long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            QuantityRegex().Matches(m.Groups[3].Value).Select(q => double.Parse(q.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).Max(),
            m.Value)),
    ];

    [GeneratedRegex(@"Full re-score \(fence (\d+)\): drift members=\d+ neighbour_mismatches=(\d+) ([^;]*);")]
    private static partial Regex RescoreRegex();

    [GeneratedRegex(@"=([0-9.eE+-]+|NaN|∞)")]
    private static partial Regex QuantityRegex();

    private sealed record Rescore(long Fence, int Mismatches, double Worst, string Line);
}
