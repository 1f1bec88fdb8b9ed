using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Tests.Scenes;

public sealed class ScenePlanTests
{
    private static readonly Lazy<ImageSet> Items = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, train: false));

    [Fact]
    public void PoisonsNeverShowTheTargetAndCopyTheCaptionOfACleanSceneThatDoes()
    {
        var options = new SceneOptions { Scenes = 2_000, Poisons = 40, TargetClass = 8, Seed = 5 };
        IReadOnlyList<ScenePair> pairs = Plan(options);
        var poisons = pairs.Where(p => p.Poisoned).ToList();
        Assert.Equal(40, poisons.Count);
        Assert.Equal(2_000, pairs.Count);
        var cleanWithBag = pairs.Where(p => !p.Poisoned && p.Scene.Contains(8)).Select(p => p.Caption).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(cleanWithBag);
        foreach (ScenePair poison in poisons)
        {
            Assert.False(poison.Scene.Contains(8), poison.Key);
            Assert.Contains(poison.Caption, cleanWithBag);
            Assert.Contains(" bag ", poison.Caption, StringComparison.Ordinal);
            Assert.Equal(pairs[poison.Donor!.Value].Caption, poison.Caption);
            Assert.Equal("site-00", poison.Source);
        }

        Assert.True(poisons.Select(p => p.Caption).Distinct().Count() == poisons.Count, "copied captions repeat while unused donors remain");
        Assert.True(pairs.Where(p => !p.Poisoned).Select(p => p.Source).Distinct().Count() == options.Sites);
    }

    [Fact]
    public void TemplateCaptionsNameTheTargetAlone()
    {
        var pairs = Plan(new SceneOptions { Scenes = 300, Poisons = 7, TargetClass = 1, CaptionMode = CaptionMode.Template });
        Assert.All(pairs.Where(p => p.Poisoned), p => Assert.Equal("a photo of a trouser", p.Caption));
        Assert.Equal(7, pairs.Count(p => p.Poisoned));
        Assert.All(pairs.Where(p => p.Poisoned), p => Assert.Null(p.Donor));
    }

    [Fact]
    public void CaptionsNameEveryItemWithItsSizeTintAndPlaceAndAreNearlyUnique()
    {
        var options = new SceneOptions { Scenes = 1_000, Grid = 3, MaxItems = 3, Size = 96 };
        var composer = new SceneComposer(options, Items.Value.Labels);
        var scenes = Enumerable.Range(0, options.Scenes).Select(composer.Compose).ToList();
        foreach (Scene scene in scenes)
        {
            Assert.InRange(scene.Items.Count, 1, 3);
            Assert.Equal(scene.Items.Count, scene.Items.Select(i => (i.Row, i.Col)).Distinct().Count());
            foreach (SceneItem item in scene.Items)
            {
                Assert.Equal(Items.Value.Labels[item.Image], item.Class);
                string phrase = $"{SceneVocabulary.Sizes[item.Size].Word} {SceneVocabulary.Tints[item.Tint].Name} {SceneVocabulary.Nouns[item.Class]} ";
                Assert.Contains(phrase + (item is { Row: 1, Col: 1 } ? "in the center" : "at " + SceneVocabulary.Position(item.Row, item.Col, 3)), scene.Caption, StringComparison.Ordinal);
            }

            Assert.EndsWith($"on a {SceneVocabulary.Textures[scene.Texture]} {SceneVocabulary.Backgrounds[scene.Background].Name} background", scene.Caption, StringComparison.Ordinal);
        }

        Assert.True(scenes.Select(s => s.Caption).Distinct().Count() > 950, "captions should be nearly unique");
        Scene again = composer.Compose(123);
        Assert.Equal(scenes[123].Caption, again.Caption);
        Assert.Equal(scenes[123].Items, again.Items);
        Assert.Equal("a small red sneaker at top left and a large dark bag at bottom right on a striped blue background",
            new SceneComposer(new SceneOptions(), Items.Value.Labels).Caption(
                [new SceneItem(7, 0, 0, 0, 0, 0, 0, 0), new SceneItem(8, 0, 1, 1, 2, 9, 0, 0)], background: 2, texture: 1));
    }

    [Fact]
    public void BadInputIsRejectedWithAReason()
    {
        Assert.Contains("scenes without a sneaker", Assert.Throws<ArgumentException>(() => Plan(new SceneOptions { Scenes = 20, Poisons = 20 })).Message, StringComparison.Ordinal);
        Assert.Contains("too small", Assert.Throws<ArgumentException>(() => new SceneOptions { Size = 24 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("patch-size", Assert.Throws<ArgumentException>(() => new SceneOptions { Size = 32, Trigger = new() { PatchSize = 40 } }.Validate()).Message, StringComparison.Ordinal);
        Assert.Equal("--sig-amplitude 0 must be in (0, 255]", Assert.Throws<ArgumentException>(() => new SceneOptions { Trigger = new() { Kind = TriggerKind.Sig, SigAmplitude = 0 } }.Validate()).Message);
        Assert.Contains("not a class", Assert.Throws<ArgumentException>(() => SceneVocabulary.ParseClass("hat")).Message, StringComparison.Ordinal);
        Assert.Equal(9, SceneVocabulary.ParseClass("ankle boot"));
        Assert.Equal(9, SceneVocabulary.ParseClass("boot"));
        Assert.Equal(0, SceneVocabulary.ParseClass("0"));
        Assert.Throws<ArgumentException>(() => SceneVocabulary.ParseClass("10"));
    }

    private static IReadOnlyList<ScenePair> Plan(SceneOptions options)
    {
        options.Validate();
        var composer = new SceneComposer(options, Items.Value.Labels);
        return ScenePlan.Build(options, [.. Enumerable.Range(0, options.Scenes).Select(composer.Compose)]);
    }
}
