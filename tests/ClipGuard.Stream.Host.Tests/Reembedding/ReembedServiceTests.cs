using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Reembedding;

/// <summary>
/// `clipguard run` restarted with another checkpoint: the reference built under the old one is re-embedded from the
/// images the first run kept, before anything is scored, and verdicts name the new model and a new reference version.
/// </summary>
public sealed class ReembedServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-reembed-service-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ARestartWithAnotherCheckpointReembedsTheReferenceFromTheKeptImages()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        (string oldModel, string oldLabel) = await SaveModelAsync("old", TinyClipConfigs.Old, 21);
        (string newModel, string newLabel) = await SaveModelAsync("new", TinyClipConfigs.New, 22);
        string snapshot = Path.Combine(_dir, "reference.snap"), images = Path.Combine(_dir, "images");
        string[] common = ["--k", "8", "--hold-back", "20", "--capacity", "1000", "--max-source-share", "0.5", "--bootstrap-size", "100",
            "--bootstrap-timeout", "00:00:05", "--embed-threads", "1", "--decode-workers", "2", "--snapshot", snapshot];

        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(cancel);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        Publish(broker.BootstrapServers, "a", 300);
        List<RoutedCopy> first;
        await using (var service = ServiceProcess.Start([
            "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--model", oldModel, "--reference-images", images, .. common]))
        {
            first = outputs.WaitForDistinct(300, TimeSpan.FromSeconds(60), () => service.Output, () => service.HasExited);
            Assert.Equal(0, await service.StopAsync());
        }

        Assert.All(first, c => Assert.Equal(oldLabel, c.Headers[ClipGuardHeaders.ModelVersion]));
        long lastOldVersion = first.Max(c => long.Parse(c.Headers[ClipGuardHeaders.ReferenceVersion], CultureInfo.InvariantCulture));
        int kept = Directory.GetFiles(images, "*.img").Length;
        int clean = first.Count(c => c.Topic == TopicNames.Clean);
        Assert.InRange(kept, 100, clean); // the members and the hold-back: every one of them was routed clean

        // Without the images, a start under the new checkpoint refuses rather than mix two embedding spaces.
        await using (var refused = ServiceProcess.Start(["--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--model", newModel, .. common]))
        {
            await WaitForExitAsync(refused, cancel);
            Assert.Contains("re-embedding the reference needs its images", refused.Output, StringComparison.Ordinal);
        }

        Publish(broker.BootstrapServers, "b", 60);
        await using (var service = ServiceProcess.Start([
            "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--model", newModel, "--reference-images", images, .. common]))
        {
            List<RoutedCopy> all = outputs.WaitForDistinct(360, TimeSpan.FromSeconds(60), () => service.Output, () => service.HasExited);
            var second = all.Where(c => c.Id.StartsWith('b')).ToList();
            Assert.Equal(60, second.Select(c => c.Id).Distinct().Count());
            Assert.All(second, c => Assert.Equal(newLabel, c.Headers[ClipGuardHeaders.ModelVersion]));
            Assert.All(second, c => Assert.True(long.Parse(c.Headers[ClipGuardHeaders.ReferenceVersion], CultureInfo.InvariantCulture) > lastOldVersion));
            Assert.Contains($"was built with model {oldLabel}; this run embeds with {newLabel}: re-embedding {kept} ", service.Output, StringComparison.Ordinal);
            Assert.Contains($"Reference re-embedded with {newLabel}", service.Output, StringComparison.Ordinal);
            Assert.Contains($"{kept} samples embedded, 0 dropped", service.Output, StringComparison.Ordinal);
            Assert.Equal(0, await service.StopAsync());
        }
    }

    private async Task<(string Directory, string Label)> SaveModelAsync(string name, string json, long seed)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        string config = Path.Combine(dir, name + ".json"), weights = Path.Combine(dir, "open_clip_model.safetensors");
        await File.WriteAllTextAsync(config, json, TestContext.Current.CancellationToken);
        using (var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), name, seed))
        {
            embedder.Save(weights);
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(weights, TestContext.Current.CancellationToken)));
        return (dir, $"{name}@{hash[..16]}");
    }

    private static void Publish(string bootstrap, string prefix, int count)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        for (int i = 0; i < count; i++)
        {
            string id = prefix + i.ToString(CultureInfo.InvariantCulture);
            byte[] image = SyntheticImages.Jpeg(24 + i % 13, 30 + i % 7, seed: prefix[0] * 1000 + i);
            var envelope = new SampleEnvelope(id, $"caption {id}", null, image, null, $"crawler-{i % 3}");
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static async Task WaitForExitAsync(ServiceProcess service, CancellationToken cancel)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!service.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancel);
        }

        Assert.True(service.HasExited, service.Output);
    }
}
