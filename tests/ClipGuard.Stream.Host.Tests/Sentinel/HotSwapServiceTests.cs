using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Sentinel;

/// <summary>
/// `clipguard run --sentinel` under load, with the dev broker and redis-server as real processes: a checkpoint
/// published into models/ while messages stream in is swapped in without a restart, and every input message is routed
/// exactly once: the ones before the swap under the old model, the ones after under the new, partition by partition.
/// </summary>
public sealed class HotSwapServiceTests : IDisposable
{
    private const int Phase = 600;
    private const int Messages = (2 * Phase) + 100;
    private const string Token = "hot-swap-token-0123456789abcdef";
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-hot-swap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ACheckpointPublishedUnderLoadIsSwappedInWithoutLosingOrRepeatingAMessage()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        (string oldModel, string oldLabel) = await SaveModelAsync(Path.Combine(_dir, "old"), "tiny", 21);
        string sentinel = Path.Combine(_dir, "sentinel");
        string[] args = ["--k", "8", "--hold-back", "20", "--capacity", "2000", "--max-source-share", "0.5", "--bootstrap-size", "150",
            "--bootstrap-timeout", "00:00:05", "--embed-threads", "1", "--decode-workers", "2", "--model", oldModel,
            "--reference-images", Path.Combine(_dir, "images"), "--sentinel", sentinel, "--sentinel-poll", "00:00:01", "--provisional-window", "00:00:03"];

        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(cancel);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        using var recalls = new VerdictListener(broker.BootstrapServers, "hot-swap-recalls", topics: [TopicNames.Recalls]);
        int port = FreePorts.FindConsecutive(1);
        await using var service = ServiceProcess.Start(["--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--api-token", Token, "--urls", $"http://127.0.0.1:{port}", .. args]);
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        // A first phase routed and older than the provisional window (its members are final and carried over); then
        // the new checkpoint lands in models/ while a second phase streams in at a steady rate; a last few after the swap.
        (string staged, string newLabel) = await SaveModelAsync(Path.Combine(_dir, "staged"), "tiny", 23);
        Publish(broker.BootstrapServers, 0, Phase, perSecond: 200);
        WaitUntil(() => outputs.DistinctIds() >= Phase, service);
        JsonElement model = await ModelAsync(api, sentinelVersion: 0);
        Assert.True(model.GetProperty("stream").GetBoolean());
        Assert.Equal((oldLabel, 0), (model.GetProperty("model").GetString(), model.GetProperty("sentinelVersion").GetInt32()));
        Assert.False(model.TryGetProperty("sentinelAgeSeconds", out _));
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Task load = Task.Run(() => Publish(broker.BootstrapServers, Phase, Phase, perSecond: 120), cancel);
        Publish(new SentinelLayout(sentinel), staged, newLabel);
        await load;
        WaitUntil(() => service.Output.Contains("Model swapped", StringComparison.Ordinal), service);
        Publish(broker.BootstrapServers, 2 * Phase, Messages - (2 * Phase), perSecond: 200);

        // The operator API (the console's model cell) names the sentinel in use and its age since training.
        model = await ModelAsync(api, sentinelVersion: 1);
        Assert.Equal((newLabel, 1), (model.GetProperty("model").GetString(), model.GetProperty("sentinelVersion").GetInt32()));
        DateTimeOffset trainedAt = new SentinelLayout(sentinel).Newest()!.Manifest.TrainedAt;
        Assert.Equal(trainedAt, model.GetProperty("sentinelTrainedAt").GetDateTimeOffset());
        Assert.InRange(model.GetProperty("sentinelAgeSeconds").GetDouble(), 0, (DateTimeOffset.UtcNow - trainedAt).TotalSeconds + 1);
        List<RoutedCopy> copies = outputs.WaitForDistinct(Messages, TimeSpan.FromMinutes(2), () => service.Output, () => service.HasExited);
        Assert.Equal(0, await service.StopAsync());

        // Exactly once: every input on one output topic, no copy twice.
        Assert.Equal(Messages, copies.Count);
        Assert.Equal(Messages, copies.Select(c => c.Id).Distinct().Count());
        Assert.Contains($"Model swapped {oldLabel} -> {newLabel}", service.Output, StringComparison.Ordinal);

        // Per input partition, in offset order: the old model's verdicts, then the new model's, never back.
        int before = 0, after = 0;
        foreach (var partition in copies.GroupBy(c => c.Headers[ClipGuardHeaders.SourcePartition]))
        {
            string[] models = [.. partition.OrderBy(c => long.Parse(c.Headers[ClipGuardHeaders.SourceOffset], CultureInfo.InvariantCulture)).Select(c => c.Headers[ClipGuardHeaders.ModelVersion])];
            int switchAt = Array.IndexOf(models, newLabel);
            Assert.All(switchAt < 0 ? models : models[..switchAt], m => Assert.Equal(oldLabel, m));
            Assert.All(switchAt < 0 ? [] : models[switchAt..], m => Assert.Equal(newLabel, m));
            before += switchAt < 0 ? models.Length : switchAt;
            after += switchAt < 0 ? 0 : models.Length - switchAt;
        }

        Assert.True(before >= Phase && after >= Messages - (2 * Phase), $"{before} verdicts before the swap, {after} after");

        // Clean copies are provisional; recalls name samples routed clean under the old model.
        Assert.All(copies.Where(c => c.Topic == TopicNames.Clean), c => Assert.Equal("false", c.Headers[ClipGuardHeaders.Final]));
        var cleanOld = copies.Where(c => c.Topic == TopicNames.Clean && c.Headers[ClipGuardHeaders.ModelVersion] == oldLabel).Select(c => c.Id).ToHashSet();
        foreach (RoutedCopy recall in recalls.Snapshot())
        {
            using JsonDocument value = JsonDocument.Parse(recall.Value);
            Assert.Contains(recall.Id, cleanOld);
            Assert.Equal(oldLabel, value.RootElement.GetProperty("recalled_from").GetString());
            Assert.Equal(newLabel, value.RootElement.GetProperty("model").GetString());
        }

        // The window kept every routed pair for the trainer, closed on the clean stop.
        int pairs = Directory.EnumerateFiles(Path.Combine(sentinel, "window"), "*.txt", SearchOption.AllDirectories).Count();
        Assert.Equal(copies.Count(c => c.Topic != TopicNames.DeadLetter), pairs);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(sentinel, "open")));
    }

    /// <summary><c>/api/model</c>, asked again for up to 30 s until it names <paramref name="sentinelVersion"/> (the swap reports it once it completes).</summary>
    private static async Task<JsonElement> ModelAsync(HttpClient api, int sentinelVersion)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using HttpResponseMessage response = await api.GetAsync(new Uri("/api/model", UriKind.Relative), TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            if (body.RootElement.GetProperty("sentinelVersion").GetInt32() == sentinelVersion || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return body.RootElement.Clone();
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Publishes a checkpoint folder as the trainer does: complete under a temporary name, manifest last, then renamed.</summary>
    private static void Publish(SentinelLayout layout, string staged, string label)
    {
        layout.Create();
        string weights = Path.Combine(staged, "open_clip_model.safetensors");
        File.WriteAllText(Path.Combine(staged, SentinelModelManifest.FileName), JsonSerializer.Serialize(new SentinelModelManifest
        {
            Version = 1, WeightsSha256 = SentinelLayout.Sha256(weights), ModelVersion = label, TrainedAt = DateTimeOffset.UtcNow,
            WindowPairs = 0, Segments = 0, LastSegment = "", Epochs = 0, TrainSeconds = 0, DecodeSeconds = 0,
        }, Offline.OfflineJson.Options));
        Directory.Move(staged, layout.FolderOf(1));
    }

    private static async Task<(string Directory, string Label)> SaveModelAsync(string dir, string name, long seed)
    {
        Directory.CreateDirectory(dir);
        string config = Path.Combine(dir, name + ".json"), weights = Path.Combine(dir, "open_clip_model.safetensors");
        await File.WriteAllTextAsync(config, TinyClipConfigs.Old, TestContext.Current.CancellationToken);
        using (var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), name, seed))
        {
            embedder.Save(weights);
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(weights, TestContext.Current.CancellationToken)));
        return (dir, $"{name}@{hash[..16]}");
    }

    private static void Publish(string bootstrap, int first, int count, int perSecond)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = first; i < first + count; i++)
        {
            string id = "m" + i.ToString(CultureInfo.InvariantCulture);
            byte[] image = SyntheticImages.Jpeg(24 + i % 13, 30 + i % 7, seed: i);
            var envelope = new SampleEnvelope(id, $"caption {id}", null, image, null, $"crawler-{i % 3}");
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
            TimeSpan due = TimeSpan.FromSeconds((double)(i - first + 1) / perSecond);
            if (due > clock.Elapsed)
            {
                Thread.Sleep(due - clock.Elapsed);
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static void WaitUntil(Func<bool> condition, ServiceProcess service)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            Assert.False(service.HasExited, "clipguard run exited early\n" + service.Output);
            Assert.True(DateTime.UtcNow < deadline, "timed out\n" + service.Output);
            Thread.Sleep(200);
        }
    }
}
