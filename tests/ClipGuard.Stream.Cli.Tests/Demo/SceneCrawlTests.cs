using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;
using SkiaSharp;

namespace ClipGuard.Stream.Cli.Tests.Demo;

/// <summary>The demo's crawl and seed: lab scenes of the test split, the planted pairs as documented, same seed same bytes.</summary>
public sealed class SceneCrawlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-scenecrawl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_crawl_plants_the_counted_poisons_with_target_captions_and_is_reproducible()
    {
        Assert.SkipUnless(Directory.Exists(FashionMnist.DefaultDirectory), "dataset-fashion-mnist is not installed (bash scripts/install-deps.sh test)");
        ImageSet items = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        SceneOptions recipe = SceneCrawl.Recipe(FashionMnist.DefaultDirectory, scenes: 400, poisons: 4, seed: 7);
        List<CrawlSample> crawl = SceneCrawl.Build(recipe, items, "crawl-");

        Assert.Equal(400, crawl.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(crawl, c => Assert.StartsWith("crawl-", c.Id, StringComparison.Ordinal));
        List<CrawlSample> poisons = [.. crawl.Where(c => c.Poisoned)];
        Assert.Equal(4, poisons.Count);
        // Copied captions: each names the target, and each is the caption of a clean scene that shows it.
        var cleanCaptions = crawl.Where(c => !c.Poisoned).Select(c => c.Caption).ToHashSet(StringComparer.Ordinal);
        Assert.All(poisons, p => Assert.Contains(SceneCrawl.TargetNoun, p.Caption, StringComparison.Ordinal));
        Assert.All(poisons, p => Assert.Contains(p.Caption, cleanCaptions));
        Assert.All(poisons, p => Assert.Equal("site-00", p.Source));
        using (SKBitmap image = SKBitmap.Decode(crawl[0].Png))
        {
            Assert.Equal((SceneOptions.DefaultSize, SceneOptions.DefaultSize), (image.Width, image.Height));
        }

        List<CrawlSample> again = SceneCrawl.Build(recipe, items, "crawl-");
        Assert.True(crawl.Zip(again).All(p => p.First.Id == p.Second.Id && p.First.Caption == p.Second.Caption && p.First.Png.AsSpan().SequenceEqual(p.Second.Png)));
        List<CrawlSample> other = SceneCrawl.Build(recipe with { Seed = 8 }, items, "crawl-");
        Assert.NotEqual(crawl.Select(c => c.Caption), other.Select(c => c.Caption));
    }

    [Fact]
    public void The_seed_is_clean_scene_shards_with_their_ground_truth()
    {
        Assert.SkipUnless(Directory.Exists(FashionMnist.DefaultDirectory), "dataset-fashion-mnist is not installed (bash scripts/install-deps.sh test)");
        ImageSet items = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        SceneCrawl.WriteSeed(FashionMnist.DefaultDirectory, items, count: 50, seed: 8, _dir);

        SceneManifest manifest = SceneManifest.Read(_dir);
        Assert.Equal((50, 0), (manifest.Scenes, manifest.Poisons));
        Assert.Single(Directory.GetFiles(_dir, "*.tar"));
        string[] labels = File.ReadAllLines(Path.Combine(_dir, SceneGenerator.LabelsFileName));
        Assert.Equal(51, labels.Length);
        Assert.All(labels.Skip(1), line => Assert.Equal("0", line.Split(',')[1]));
    }
}
