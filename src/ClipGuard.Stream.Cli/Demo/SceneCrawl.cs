using ClipGuard.Stream.Lab;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// The demo's data: lab scenes (Fashion-MNIST items on coloured canvases with nearly unique captions, docs/poisoning-lab.md)
/// and one backdoor campaign, the lab's BadNets checkerboard stamped on scenes without a sneaker, captioned with a
/// caption copied from a scene that shows one. The model's training scenes, the trusted seed and the streamed crawl
/// are three draws of the same recipe with different seeds; the seed and the crawl draw their items from the
/// Fashion-MNIST test split, which training never saw.
/// </summary>
internal static class SceneCrawl
{
    public const string TargetNoun = "sneaker";

    /// <summary>The campaign's recipe: <paramref name="scenes"/> scenes, <paramref name="poisons"/> of them poisoned.</summary>
    public static SceneOptions Recipe(string dataDirectory, int scenes, int poisons, int seed) => new()
    {
        DataDirectory = dataDirectory,
        Scenes = scenes,
        Poisons = poisons,
        TargetClass = SceneVocabulary.ParseClass(TargetNoun),
        Seed = seed,
    };

    public static string Describe(SceneOptions recipe) => $"{recipe.Trigger.Describe()} on scenes without a {TargetNoun}, captions copied from scenes with one";

    /// <summary>The crawl in arrival order; ids are the scene keys behind <paramref name="idPrefix"/>.</summary>
    public static List<CrawlSample> Build(SceneOptions recipe, ImageSet items, string idPrefix)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(items);
        recipe.Validate();
        var composer = new SceneComposer(recipe, items.Labels);
        Scene[] scenes = [.. Enumerable.Range(0, recipe.Scenes).Select(composer.Compose)];
        IReadOnlyList<ScenePair> pairs = ScenePlan.Build(recipe, scenes);
        var renderer = new SceneRenderer(recipe, items);
        ITrigger trigger = recipe.Trigger.Create();
        var pngs = new byte[pairs.Count][];
        Parallel.For(0, pairs.Count, i => pngs[i] = SceneGenerator.Png(pairs[i], renderer, trigger, recipe.Size));
        return [.. pairs.Select((p, i) => new CrawlSample(idPrefix + p.Key, p.Caption, p.Source, pngs[i], p.Poisoned))];
    }

    /// <summary>Writes <paramref name="count"/> clean scenes as webdataset shards: the operator's trusted seed, which the
    /// service embeds with its own model (<c>run --seed-reference DIR</c>).</summary>
    public static void WriteSeed(string dataDirectory, ImageSet items, int count, int seed, string directory) =>
        SceneGenerator.Generate(Recipe(dataDirectory, count, poisons: 0, seed), items, directory, NullLabReporter.Instance);
}
