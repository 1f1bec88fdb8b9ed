using System.Globalization;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using System.Text;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>
/// kill -9 while the service writes a reference snapshot: the restart restores the last good snapshot (saying which,
/// in one line), replays the reference log from the position that snapshot covers, and routes every message.
/// </summary>
public sealed class SnapshotKillTests : IDisposable
{
    private const int Dim = 128;
    private const int SeedRows = 10_000;
    private const int Messages = 9_000;
    private const int PerSecond = 300;
    private const int Attempts = 6;
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-snapkill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task KilledDuringASnapshotWriteTheServiceRestartsFromTheLastGoodSnapshotAndLosesNothing()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(SeedRows + Messages, Dim, 20, 0, 71);
        string seed = Path.Combine(_dir, "seed.npy");
        Npy.Write(seed, ReplicaTestKit.Slice(data, 0, SeedRows));

        string snapshots = Path.Combine(_dir, "snapshots");
        Directory.CreateDirectory(snapshots);
        string snapshot = Path.Combine(snapshots, "reference.snap");
        string[] args =
        [
            "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--seed-reference", seed, "--replicate",
            "--snapshot", snapshot, "--snapshot-interval", "00:00:01", "--capacity", "30000", "--hold-back", "50",
            "--max-source-share", "1", "--max-batch", "100", "--rescore-interval", "00:00:00",
        ];
        using var outputs = new OutputCollector(broker.BootstrapServers);

        // The stream trickles in while the service snapshots every second; the kill lands when a temporary snapshot
        // file appears (the write has begun). A kill that came after the rename proves nothing, so try again.
        Task publishing = Task.Run(() => Trickle(broker.BootstrapServers, data), TestContext.Current.CancellationToken);
        string killedLog = string.Empty;
        bool killedMidWrite = false;
        int attempts = 0;
        for (; attempts < Attempts && !killedMidWrite; attempts++)
        {
            await using ServiceProcess service = ServiceProcess.Start(args);
            DateTime deadline = DateTime.UtcNow + ReplicaTestKit.Timeout;

            // Armed once a complete snapshot exists, so the kill always has a good generation to fall back to.
            while (!File.Exists(snapshot) && !service.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            using var watcher = new FileSystemWatcher(snapshots, "reference.snap.tmp-*");
            watcher.Created += (_, _) => PosixSignals.Send(service.Id, PosixSignals.SigKill);
            watcher.EnableRaisingEvents = true;
            while (!service.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.True(service.HasExited, "no snapshot write began within the timeout\n" + service.Output);
            killedLog += service.Output;
            killedMidWrite = Directory.EnumerateFiles(snapshots, "reference.snap.tmp-*").Any();
        }

        Assert.True(killedMidWrite, $"none of {Attempts} kills landed inside a snapshot write\n{killedLog}");
        Assert.True(File.Exists(snapshot + ".prev") || File.Exists(snapshot), "a good snapshot generation should be on disk");

        await using ServiceProcess restarted = ServiceProcess.Start(args);
        await publishing;
        List<RoutedCopy> copies = outputs.WaitForDistinct(Messages, ReplicaTestKit.Timeout, () => restarted.Output + "\n---- killed:\n" + killedLog, () => restarted.HasExited);
        Assert.Equal(Messages, copies.Select(c => c.Id).Distinct().Count());

        // One clear line names the snapshot restored; then the log is replayed from the position it covers.
        Assert.Matches(@"Restored the reference set from snapshot \S+reference\.snap(\.prev)?: version \d+", restarted.Output);
        Assert.Contains("Reference log replayed to offset", restarted.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Skipping reference snapshot", restarted.Output, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"kill -9 landed inside a snapshot write on attempt {attempts}; restart: " +
            string.Join(" | ", restarted.Output.Split('\n').Where(l => l.Contains("Restored the reference", StringComparison.Ordinal) || l.Contains("replayed", StringComparison.Ordinal)).Select(l => l.Trim())));

        // The next save clears the killed writer's temporary file.
        DateTime until = DateTime.UtcNow + ReplicaTestKit.Timeout;
        while (Directory.EnumerateFiles(snapshots, "reference.snap.tmp-*").Any() && DateTime.UtcNow < until)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Empty(Directory.EnumerateFiles(snapshots, "reference.snap.tmp-*"));
        Assert.Equal(0, await restarted.StopAsync());
    }

    /// <summary>Publishes the stream rows at about <see cref="PerSecond"/> messages a second, so the reference keeps changing.</summary>
    private static async Task Trickle(string bootstrap, Matrix<float> data)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        for (int i = 0; i < Messages; i++)
        {
            string id = "k" + i.ToString(CultureInfo.InvariantCulture);
            var envelope = new SampleEnvelope(id, $"caption {i}", data.RowReadOnly(SeedRows + i).ToArray(), null);
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
            if (i % (PerSecond / 10) == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }
}
