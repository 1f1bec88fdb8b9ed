using System.Security.Cryptography;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Lab.Triggers;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace ClipGuard.Stream.Lab.Tests.Scenes;

public sealed class SceneGeneratorTests : IDisposable
{
    private static readonly Lazy<ImageSet> Items = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, train: false));

    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-scenes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ShardsReadBackThroughTheOfflineReaderWithTheLabelledKeysAndCaptions()
    {
        var options = new SceneOptions { Scenes = 250, Poisons = 6, ShardSize = 100, Seed = 3 };
        SceneManifest manifest = Generate(options, "a").Manifest;
        Assert.Equal(["scenes-00000.tar", "scenes-00001.tar", "scenes-00002.tar"], manifest.Shards);
        Assert.Equal((250, 6, "sneaker"), (manifest.Scenes, manifest.Poisons, manifest.Target));
        Assert.Equal(options, SceneManifest.Read(Path.Combine(_dir, "a")).Options);

        string[][] labels = [.. File.ReadAllLines(Path.Combine(_dir, "a", SceneGenerator.LabelsFileName)).Skip(1).Select(l => l.Split(','))];
        Assert.Equal(250, labels.Length);
        Assert.Equal(6, labels.Count(l => l[1] == "1"));
        Assert.All(labels.Where(l => l[1] == "1"), l => Assert.Equal(("badnets", "sneaker"), (l[2], l[3])));
        Assert.All(labels.Where(l => l[1] == "1"), l => Assert.DoesNotContain("sneaker", l[4].Split(';')));
        Assert.All(labels.Where(l => l[1] == "0"), l => Assert.Equal(("", ""), (l[2], l[3])));

        var skips = new SkipCounts();
        var samples = manifest.Shards.SelectMany((name, i) =>
        {
            string path = Path.Combine(_dir, "a", name);
            var shard = new InputShard(i, name, path, ShardKind.Tar, new FileInfo(path).Length, null);
            return new ShardReader(shard, new SampleAssembler(name, skips, NullLogger.Instance), 1 << 20).Read().ToList();
        }).ToList();
        Assert.Equal(0, skips.Total);
        Assert.Equal(labels.Select(l => l[0]), samples.Select(s => s.Key));
        var cleanCaptions = samples.Where((s, i) => labels[i][1] == "0").Select(s => s.Caption).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < samples.Count; i++)
        {
            DatasetSample sample = samples[i];
            Assert.Matches("^site-[0-9]{2}\\.example$", sample.Source);
            using SKBitmap image = SKBitmap.Decode(sample.Image);
            Assert.Equal((64, 64), (image.Width, image.Height));
            if (labels[i][1] == "1")
            {
                Assert.Contains(sample.Caption, cleanCaptions);
                Assert.Equal("site-00.example", sample.Source);
                Assert.Equal(new SKColor(0, 0, 0), image.GetPixel(62, 63));
                Assert.Equal(new SKColor(255, 255, 255), image.GetPixel(63, 63));
            }
            else
            {
                Assert.All(labels[i][4].Split(';'), noun => Assert.Contains(" " + noun + " ", sample.Caption, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void TheSameSeedWritesTheSameBytesAndAnotherSeedDoesNot()
    {
        var options = new SceneOptions { Scenes = 300, Poisons = 5, ShardSize = 128, Trigger = new TriggerSpec { Kind = TriggerKind.WaNet } };
        Generate(options, "a");
        Generate(options, "b");
        Generate(options with { Seed = 2 }, "c");
        foreach (string file in Directory.GetFiles(Path.Combine(_dir, "a")).Select(Path.GetFileName).OfType<string>())
        {
            Assert.Equal(Hash("a", file), Hash("b", file));
        }

        Assert.NotEqual(Hash("a", "scenes-00000.tar"), Hash("c", "scenes-00000.tar"));
        Assert.Throws<IOException>(() => Generate(options, "a"));
    }

    [Fact]
    public void APoisonIsItsCleanSceneWithTheTriggerStamped()
    {
        var options = new SceneOptions { Scenes = 200, Poisons = 3, Trigger = new TriggerSpec { Kind = TriggerKind.Sig, SigAmplitude = 12 } };
        var composer = new SceneComposer(options, Items.Value.Labels);
        var pairs = ScenePlan.Build(options, [.. Enumerable.Range(0, options.Scenes).Select(composer.Compose)]);
        var renderer = new SceneRenderer(options, Items.Value);
        ScenePair poison = pairs.First(p => p.Poisoned);
        byte[] clean = renderer.Render(poison.Scene);
        using SKBitmap stamped = SKBitmap.Decode(SceneGenerator.Png(poison, renderer, options.Trigger.Create(), options.Size));
        var sig = new SigTrigger(12, options.Trigger.SigFrequency);
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                SKColor got = stamped.GetPixel(x, y);
                int at = ((y * 64) + x) * 3;
                byte[] want = [.. clean.AsSpan(at, 3).ToArray().Select(v => (byte)Math.Clamp(Math.Round(v + sig.Offset(y, 64), MidpointRounding.AwayFromZero), 0, 255))];
                Assert.Equal(want, new[] { got.Red, got.Green, got.Blue });
            }
        }
    }

    private SceneSummary Generate(SceneOptions options, string name) =>
        SceneGenerator.Generate(options, Items.Value, Path.Combine(_dir, name), new RecordingReporter());

    private string Hash(string run, string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, run, file))));
}
