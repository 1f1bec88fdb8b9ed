using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>Draws scene <c>i</c> from its own random stream (so any scene can be rebuilt alone) and captions it.</summary>
public sealed class SceneComposer(SceneOptions options, IReadOnlyList<byte> labels)
{
    /// <summary>Tints this close in luma to the background are drawn again, so every item stays visible.</summary>
    private const int MinContrast = 48;

    public Scene Compose(int index)
    {
        var rng = TriggerSeeds.For(options.Seed, index);
        int cells = options.Grid * options.Grid;
        int[] order = [.. Enumerable.Range(0, cells)];
        rng.Shuffle(order);
        int count = rng.Next(1, options.MaxItems + 1);
        int background = rng.Next(SceneVocabulary.Backgrounds.Count);
        int texture = rng.Next(SceneVocabulary.Textures.Count);
        byte backgroundLuma = SceneVocabulary.Backgrounds[background].Color.Luma;
        var items = new List<SceneItem>(count);
        foreach (int cell in order[..count].Order())
        {
            int image = rng.Next(labels.Count);
            int tint;
            do
            {
                tint = rng.Next(SceneVocabulary.Tints.Count);
            }
            while (Math.Abs(SceneVocabulary.Tints[tint].Color.Luma - backgroundLuma) < MinContrast);

            items.Add(new SceneItem(labels[image], image, cell / options.Grid, cell % options.Grid,
                rng.Next(SceneVocabulary.Sizes.Count), tint, rng.NextDouble(), rng.NextDouble()));
        }

        return new Scene(index, items, background, texture, Caption(items, background, texture));
    }

    /// <summary>"a small red sneaker at top left and a large dark bag at bottom right on a striped blue background".</summary>
    public string Caption(IReadOnlyList<SceneItem> items, int background, int texture)
    {
        ArgumentNullException.ThrowIfNull(items);
        var phrases = items.Select(item =>
        {
            string size = SceneVocabulary.Sizes[item.Size].Word;
            string where = SceneVocabulary.Position(item.Row, item.Col, options.Grid);
            return $"{SceneVocabulary.Article(size)} {size} {SceneVocabulary.Tints[item.Tint].Name} {SceneVocabulary.Nouns[item.Class]} "
                   + (where == "the center" ? "in " : "at ") + where;
        }).ToList();
        string things = phrases.Count == 1 ? phrases[0] : string.Join(", ", phrases[..^1]) + " and " + phrases[^1];
        return $"{things} on a {SceneVocabulary.Textures[texture]} {SceneVocabulary.Backgrounds[background].Name} background";
    }
}
