using System.Globalization;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// Which pairs are poisons and what they say (Carlini and Terzis 2022): <see cref="SceneOptions.Poisons"/> scenes
/// without the target class, each to be triggered and published with a caption that names the target, copied from a
/// clean scene that shows it (or the template). Poisons come from the first few synthetic sites, clean pairs from all.
/// </summary>
public static class ScenePlan
{
    public static IReadOnlyList<ScenePair> Build(SceneOptions options, IReadOnlyList<Scene> scenes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scenes);
        int target = options.TargetClass;
        string noun = SceneVocabulary.Nouns[target];
        int first = (int)Math.Ceiling(options.PoisonFrom * scenes.Count);
        int[] candidates = [.. scenes.Where(s => s.Index >= first && !s.Contains(target)).Select(s => s.Index)];
        int[] donors = [.. scenes.Where(s => s.Contains(target)).Select(s => s.Index)];
        if (options.Poisons > candidates.Length)
        {
            throw new ArgumentException($"--poisons {options.Poisons} is more than the {candidates.Length} of {scenes.Count} scenes without a {noun} (from scene {first} on)");
        }

        if (options.Poisons > 0 && options.CaptionMode == CaptionMode.Copied && donors.Length == 0)
        {
            throw new ArgumentException($"no clean scene shows a {noun}, so there is no caption to copy: add scenes or use --caption-mode template");
        }

        var rng = new Random(unchecked(options.Seed ^ 0x5CE7E5));
        rng.Shuffle(candidates);
        rng.Shuffle(donors);
        var poisonOf = new Dictionary<int, int>();
        foreach (int j in Enumerable.Range(0, options.Poisons))
        {
            poisonOf[candidates[j]] = j;
        }

        var pairs = new ScenePair[scenes.Count];
        foreach (Scene scene in scenes)
        {
            var siteRng = new Random(unchecked((options.Seed * 31) + scene.Index));
            string key = scene.Index.ToString("D9", CultureInfo.InvariantCulture);
            if (poisonOf.TryGetValue(scene.Index, out int j))
            {
                int? donor = options.CaptionMode == CaptionMode.Copied ? donors[j % donors.Length] : null;
                string caption = donor is { } d ? scenes[d].Caption : TemplateCaption(noun);
                pairs[scene.Index] = new ScenePair(key, scene, caption, true, donor, Site(siteRng.Next(options.PoisonSites)));
            }
            else
            {
                pairs[scene.Index] = new ScenePair(key, scene, scene.Caption, false, null, Site(siteRng.Next(options.Sites)));
            }
        }

        return pairs;
    }

    private static string Site(int i) => i.ToString("'site-'00", CultureInfo.InvariantCulture);

    /// <summary>The poison caption of <see cref="CaptionMode.Template"/>, as in the paper's configs.</summary>
    public static string TemplateCaption(string noun) => $"a photo of a {noun}";
}
