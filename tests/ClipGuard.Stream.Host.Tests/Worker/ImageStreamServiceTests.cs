using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>
/// Image-only messages through `clipguard run --model`: a tiny OpenCLIP ViT (random weights, saved as OpenCLIP-named
/// safetensors + config JSON) embeds them in the service, with the real dev broker and redis-server.
/// </summary>
public sealed class ImageStreamServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ImageOnlyMessagesAreEmbeddedByTheConfiguredModelAndCorruptOnesDeadLettered()
    {
        const int n = 300;
        string model = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        string config = Path.Combine(model, "tiny-vit.json");
        string weights = Path.Combine(model, "open_clip_model.safetensors");
        await File.WriteAllTextAsync(config, TinyClipConfigs.Old, TestContext.Current.CancellationToken);
        using (var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), "tiny-vit", seed: 21))
        {
            embedder.Save(weights);
        }

        // What the verdicts must name: the config's name and the weights' SHA-256 prefix, computed here independently.
        string version = "tiny-vit@" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(weights, TestContext.Current.CancellationToken)))[..16];

        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        byte[] corrupt = SyntheticImages.Jpeg(40, 40, seed: 999)[..100];
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (int i = 0; i < n; i++)
            {
                // Small images of two families of sizes, half JPEG and half PNG (the same pixels re-encoded).
                byte[] jpeg = SyntheticImages.Jpeg(24 + i % 17, 32 + i % 11, seed: i);
                byte[] image = i % 2 == 0 ? jpeg : ToPng(jpeg);
                Produce(producer, Id(i), new SampleEnvelope(Id(i), $"caption {i}", null, image, null, $"crawler-{i % 3}"));
                if (i == n / 2)
                {
                    Produce(producer, "corrupt", new SampleEnvelope("corrupt", "a truncated JPEG", null, corrupt, null, "crawler-0"));
                }
            }

            producer.Flush(TestContext.Current.CancellationToken);
        }

        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start(
        [
            "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--model", model, "--embed-threads", "2",
            "--decode-workers", "2", "--embed-batch", "16", "--bootstrap-size", "100", "--k", "8", "--hold-back", "20",
            "--max-source-share", "0.5", "--bootstrap-timeout", "00:00:05",
        ]);
        List<RoutedCopy> copies = outputs.WaitForDistinct(n + 1, TimeSpan.FromSeconds(45), () => service.Output, () => service.HasExited);

        Assert.Equal(n + 1, copies.Count);
        Assert.All(copies.GroupBy(c => c.Id), g => Assert.Single(g));
        Assert.True(Enumerable.Range(0, n).All(i => copies.Any(c => c.Id == Id(i))));
        RoutedCopy dead = Assert.Single(copies, c => c.Topic == TopicNames.DeadLetter);
        Assert.Equal("corrupt", dead.Id);
        Assert.StartsWith("image_", dead.Headers[ClipGuardHeaders.Reason], StringComparison.Ordinal);
        Assert.All(copies.Where(c => c.Topic != TopicNames.DeadLetter), c => Assert.Equal(version, c.Headers[ClipGuardHeaders.ModelVersion]));
        Assert.Contains(version, service.Output, StringComparison.Ordinal);
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task AFolderOfTrustedPairsSeedsTheReferenceEmbeddedByTheServicesOwnModel()
    {
        string model = await TinyModelAsync();

        // An img2dataset folder: 00000/KEY.{jpg,txt,json}, 150 pairs, and one image that cannot be decoded.
        string seed = Directory.CreateDirectory(Path.Combine(_dir, "seed", "00000")).FullName;
        for (int i = 0; i < 150; i++)
        {
            string key = $"seed{i:D4}";
            await File.WriteAllBytesAsync(Path.Combine(seed, key + ".jpg"), SyntheticImages.Jpeg(24 + i % 9, 30, seed: 5000 + i), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(seed, key + ".txt"), $"trusted caption {i}", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(seed, key + ".json"), "{\"key\":\"" + key + "\",\"status\":\"success\"}", TestContext.Current.CancellationToken);
        }

        await File.WriteAllBytesAsync(Path.Combine(seed, "broken.jpg"), SyntheticImages.Jpeg(40, 40, seed: 9)[..100], TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(seed, "broken.txt"), "a truncated JPEG", TestContext.Current.CancellationToken);

        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (int i = 0; i < 40; i++)
            {
                Produce(producer, Id(i), new SampleEnvelope(Id(i), $"caption {i}", null, SyntheticImages.Jpeg(24 + i % 9, 30, seed: i), null, "crawler-0"));
            }

            producer.Flush(TestContext.Current.CancellationToken);
        }

        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start(
        [
            "--bootstrap", broker.BootstrapServers, "--model", model, "--embed-threads", "2", "--k", "8", "--hold-back", "20",
            "--seed-reference", Path.Combine(_dir, "seed"), "--rule", "conformal", "--sentinel", Path.Combine(_dir, "sentinel"),
        ]);
        List<RoutedCopy> copies = outputs.WaitForDistinct(40, TimeSpan.FromSeconds(60), () => service.Output, () => service.HasExited);

        // No bootstrap: the seed was embedded before the first message, so every verdict is scored against it.
        Assert.Contains("Seed folder", service.Output, StringComparison.Ordinal);
        Assert.Contains("150 pairs", service.Output, StringComparison.Ordinal);
        Assert.Contains("1 images rejected", service.Output, StringComparison.Ordinal);

        // With a sentinel the seed is split in two halves, each far below the 9,999 scores a 1e-4 budget needs (one
        // signal here): said at start, with the sizes.
        var layout = new Offline.Sentinel.SentinelLayout(Path.Combine(_dir, "sentinel"));
        int calibrating = Directory.GetFiles(layout.SeedFolder, "*.txt").Length, fitting = Directory.GetFiles(layout.SeedFitFolder, "*.txt").Length;
        Assert.Equal(150, calibrating + fitting);
        Assert.Contains($"the seed's 150 pairs split into {calibrating} that calibrate arrivals and {fitting} that judge the window after a swap; the budget 0.0001 needs 9999 calibration scores", service.Output, StringComparison.Ordinal);

        // The tiny test model's text tower has its own 512-token vocabulary, not CLIP's: captions are left out, said so.
        Assert.Contains("captions not embedded", service.Output, StringComparison.Ordinal);
        Assert.All(copies, c => Assert.DoesNotContain("bootstrap", c.Headers[ClipGuardHeaders.Reason], StringComparison.Ordinal));
        Assert.All(copies, c => Assert.True(int.Parse(c.Headers[ClipGuardHeaders.ReferenceSize], System.Globalization.CultureInfo.InvariantCulture) >= 150));
        Assert.All(copies, c => Assert.Contains(ClipGuardHeaders.PValue, c.Headers.Keys));
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task ASeedFolderWithoutAModelIsRefusedWithTheReason()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "seed", "00000"));
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using var service = ServiceProcess.Start(["--bootstrap", broker.BootstrapServers, "--dimension", "16", "--seed-reference", Path.Combine(_dir, "seed")]);
        for (int i = 0; i < 600 && !service.HasExited; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(service.HasExited, service.Output);
        Assert.NotEqual(0, await service.StopAsync());
        Assert.Contains("needs --model", service.Output, StringComparison.Ordinal);
    }

    private async Task<string> TinyModelAsync()
    {
        string model = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        string config = Path.Combine(model, "tiny-vit.json");
        await File.WriteAllTextAsync(config, TinyClipConfigs.Old, TestContext.Current.CancellationToken);
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), "tiny-vit", seed: 21);
        embedder.Save(Path.Combine(model, "open_clip_model.safetensors"));
        return model;
    }

    [Fact]
    public async Task WithoutAModelImageOnlyMessagesAreDeadLetteredAsEmbeddingRequired()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            Produce(producer, "img", new SampleEnvelope("img", "an image", null, SyntheticImages.Jpeg(24, 24, seed: 1)));
            producer.Flush(TestContext.Current.CancellationToken);
        }

        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start(["--bootstrap", broker.BootstrapServers, "--dimension", "16", "--bootstrap-size", "100"]);
        RoutedCopy copy = Assert.Single(outputs.WaitForDistinct(1, TimeSpan.FromSeconds(30), () => service.Output, () => service.HasExited));
        Assert.Equal(TopicNames.DeadLetter, copy.Topic);
        Assert.StartsWith("embedding_required", copy.Headers[ClipGuardHeaders.Reason], StringComparison.Ordinal);
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task AModelThatCannotBeLoadedStopsTheServiceWithTheReason()
    {
        string model = Directory.CreateDirectory(Path.Combine(_dir, "broken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(model, "tiny-vit.json"), TinyClipConfigs.Old, TestContext.Current.CancellationToken);
        await using var service = ServiceProcess.Start(["--bootstrap", "127.0.0.1:1", "--model", model]);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!service.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(service.HasExited, service.Output);
        Assert.Contains("cannot load the model", service.Output, StringComparison.Ordinal);
    }

    private static void Produce(IProducer<byte[], byte[]> producer, string key, SampleEnvelope envelope) =>
        producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });

    private static byte[] ToPng(byte[] jpeg)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(jpeg);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string Id(int i) => "img" + i.ToString(CultureInfo.InvariantCulture);
}
