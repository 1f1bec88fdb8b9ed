using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>What <c>lab scenes</c> wrote, and how fast.</summary>
public sealed record SceneSummary(SceneManifest Manifest, double Seconds)
{
    public double ScenesPerSecond => Manifest.Scenes / Math.Max(1e-9, Seconds);
}

/// <summary>
/// <c>clipguard lab scenes</c>: composite Fashion-MNIST scenes with compositional captions, a few of them poisoned,
/// written as webdataset shards with <c>labels.csv</c> (the ground truth) and <c>scenes.json</c> (the options).
/// The same options give byte-identical output: every random draw comes from the seed and the scene's number.
/// </summary>
public static class SceneGenerator
{
    public const string LabelsFileName = "labels.csv";

    /// <summary>Scenes drawn and encoded in parallel before they are written in order.</summary>
    private const int Batch = 1024;

    private static readonly JsonSerializerOptions MetaJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static SceneSummary Generate(SceneOptions options, string outDirectory, ILabReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Generate(options, FashionMnist.Load(options.DataDirectory, train: true), outDirectory, reporter);
    }

    /// <summary>Scenes of the items in <paramref name="data"/> (the Fashion-MNIST training split, or a part of it in tests).</summary>
    public static SceneSummary Generate(SceneOptions options, ImageSet data, string outDirectory, ILabReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(reporter);
        options.Validate();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDirectory);
        if (Directory.EnumerateFiles(outDirectory, SceneShardWriter.Prefix + "*.tar").Any())
        {
            throw new IOException($"{outDirectory} already holds {SceneShardWriter.Prefix}*.tar shards: choose an empty directory");
        }

        var composer = new SceneComposer(options, data.Labels);
        Scene[] scenes = [.. Enumerable.Range(0, options.Scenes).Select(composer.Compose)];
        IReadOnlyList<ScenePair> pairs = ScenePlan.Build(options, scenes);
        var renderer = new SceneRenderer(options, data);
        ITrigger trigger = options.Trigger.Create();
        string triggerName = options.Trigger.Kind.ToString().ToLowerInvariant();
        string target = SceneVocabulary.Nouns[options.TargetClass];
        using var writer = new SceneShardWriter(outDirectory, options.ShardSize);
        using (var labels = new StreamWriter(Path.Combine(outDirectory, LabelsFileName), false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            labels.WriteLine("key,poisoned,trigger,target,items");
            var pngs = new byte[Batch][];
            for (int start = 0; start < pairs.Count; start += Batch)
            {
                int count = Math.Min(Batch, pairs.Count - start);
                Parallel.For(0, count, j => pngs[j] = Png(pairs[start + j], renderer, trigger, options.Size));
                for (int j = 0; j < count; j++)
                {
                    ScenePair pair = pairs[start + j];
                    writer.Add(pair.Key, pngs[j], Encoding.UTF8.GetBytes(pair.Caption), Meta(pair));
                    string items = string.Join(';', pair.Scene.Items.Select(item => SceneVocabulary.Nouns[item.Class]));
                    labels.WriteLine(pair.Poisoned ? $"{pair.Key},1,{triggerName},{target},{items}" : $"{pair.Key},0,,,{items}");
                }

                reporter.Progress("scenes", start + count, pairs.Count);
            }
        }

        var manifest = new SceneManifest
        {
            Options = options,
            Target = target,
            Trigger = options.Trigger.Describe(),
            Scenes = pairs.Count,
            Poisons = pairs.Count(p => p.Poisoned),
            ScenesWithTarget = scenes.Count(s => s.Contains(options.TargetClass)),
            DistinctCaptions = pairs.Select(p => p.Caption).Distinct(StringComparer.Ordinal).Count(),
            Shards = [.. writer.Shards.Select(Path.GetFileName).OfType<string>()],
        };
        manifest.Write(outDirectory);
        return new SceneSummary(manifest, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The pair's image as PNG: the scene drawn, triggered when it is a poison.</summary>
    public static byte[] Png(ScenePair pair, SceneRenderer renderer, ITrigger trigger, int size)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(trigger);
        byte[] rgb = renderer.Render(pair.Scene);
        if (pair.Poisoned)
        {
            trigger.Apply(rgb, size, size, pair.Scene.Index, SceneRenderer.Channels);
        }

        return LabImages.PngRgb(rgb, size, size);
    }

    private static byte[] Meta(ScenePair pair) => JsonSerializer.SerializeToUtf8Bytes(
        new SceneMeta(pair.Key, pair.Caption, pair.Source, $"https://{pair.Source}.example/scenes/{pair.Key}.png"), MetaJson);

    /// <summary>KEY.json: the offline readers take "caption", and the source (the URL's host) from "url".</summary>
    private sealed record SceneMeta(string Key, string Caption, string Source, string Url);
}
