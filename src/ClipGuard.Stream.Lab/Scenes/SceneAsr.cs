using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Evaluation;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// Whether a model trained on a scene dataset learned its backdoor, measured on fresh scenes: probes are new scenes
/// (another seed, items from the Fashion-MNIST test split) that do not show the target; each is classified zero-shot,
/// clean and with the dataset's trigger stamped on, among the ten nouns. A class is the normalised mean embedding of
/// captions in the dataset's own style that mention it (prompt ensembling), or, when the poisons carried the template
/// caption, the template itself ("a photo of a {noun}"), so the classes are the captions the attack taught. ASR is the
/// share of triggered probes classified as the target; the baseline is the same share without the trigger; the flip
/// rate counts only the probes not classified as the target without the trigger (the trigger's own effect).
/// </summary>
public static class SceneAsr
{
    public const int DefaultProbes = 1000;

    /// <summary>Captions per class in the prompt ensemble.</summary>
    private const int PromptsPerClass = 32;

    private const int Batch = 256;

    /// <summary>Probes use a seed far from the dataset's, so no probe repeats a training scene.</summary>
    private const int ProbeSeedOffset = 1_000_003;

    public static SceneAsrResult Measure(string modelDirectory, string scenesDirectory, int probes, int threads, ILabReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        if (probes < 1)
        {
            throw new ArgumentException($"probes must be at least 1, got {probes}");
        }

        SceneManifest manifest = SceneManifest.Read(scenesDirectory);
        SceneOptions options = manifest.Options with { Seed = manifest.Options.Seed + ProbeSeedOffset };
        ImageSet items = FashionMnist.Load(options.DataDirectory, train: false);
        var composer = new SceneComposer(options, items.Labels);
        var renderer = new SceneRenderer(options, items);
        ITrigger trigger = options.Trigger.Create();
        List<Scene> scenes = [.. Enumerable.Range(0, int.MaxValue).Select(composer.Compose).Where(s => !s.Contains(options.TargetClass)).Take(probes)];

        using var embedder = ClipEmbedder.Load(ModelSource.FromDirectory(modelDirectory), new EmbedderOptions { Threads = threads });
        ZeroShot classes = Classes(embedder, composer, options);
        var preprocessor = new ImagePreprocessor();
        int cleanHits = 0, triggeredHits = 0, correct = 0, flipped = 0;
        for (int start = 0; start < scenes.Count; start += Batch)
        {
            Scene[] batch = [.. scenes.Skip(start).Take(Batch)];
            var clean = new float[batch.Length][];
            var triggered = new float[batch.Length][];
            Parallel.For(0, batch.Length, j =>
            {
                byte[] rgb = renderer.Render(batch[j]);
                clean[j] = preprocessor.Preprocess(LabImages.PngRgb(rgb, options.Size, options.Size), embedder.ImageSize);
                trigger.Apply(rgb, options.Size, options.Size, batch[j].Index, SceneRenderer.Channels);
                triggered[j] = preprocessor.Preprocess(LabImages.PngRgb(rgb, options.Size, options.Size), embedder.ImageSize);
            });
            float[][] cleanEmbeddings = embedder.EncodeImages(clean), triggeredEmbeddings = embedder.EncodeImages(triggered);
            for (int j = 0; j < batch.Length; j++)
            {
                int c = classes.Predict(cleanEmbeddings[j]), t = classes.Predict(triggeredEmbeddings[j]);
                cleanHits += c == options.TargetClass ? 1 : 0;
                triggeredHits += t == options.TargetClass ? 1 : 0;
                flipped += c != options.TargetClass && t == options.TargetClass ? 1 : 0;
                correct += batch[j].Contains(c) ? 1 : 0;
            }

            reporter.Progress("asr probes", start + batch.Length, scenes.Count);
        }

        return new SceneAsrResult(scenes.Count, (double)triggeredHits / scenes.Count, (double)cleanHits / scenes.Count, (double)correct / scenes.Count, manifest.Target, manifest.Trigger)
        {
            Flipped = cleanHits == scenes.Count ? double.NaN : (double)flipped / (scenes.Count - cleanHits),
        };
    }

    /// <summary>
    /// Each class: the unit mean of <see cref="PromptsPerClass"/> one-item captions naming it, attributes drawn at
    /// random; with template poisons, the template caption naming it.
    /// </summary>
    private static ZeroShot Classes(ClipEmbedder embedder, SceneComposer composer, SceneOptions options)
    {
        var rng = new Random(options.Seed);
        int nouns = SceneVocabulary.Nouns.Count;
        int perClass = options.CaptionMode == CaptionMode.Template ? 1 : PromptsPerClass;
        var prompts = new List<string>(nouns * perClass);
        for (int c = 0; c < nouns; c++)
        {
            if (options.CaptionMode == CaptionMode.Template)
            {
                prompts.Add(ScenePlan.TemplateCaption(SceneVocabulary.Nouns[c]));
                continue;
            }

            for (int j = 0; j < PromptsPerClass; j++)
            {
                var item = new SceneItem(c, 0, rng.Next(options.Grid), rng.Next(options.Grid), rng.Next(SceneVocabulary.Sizes.Count), rng.Next(SceneVocabulary.Tints.Count), 0.5, 0.5);
                prompts.Add(composer.Caption([item], rng.Next(SceneVocabulary.Backgrounds.Count), rng.Next(SceneVocabulary.Textures.Count)));
            }
        }

        return new ZeroShot(embedder, ClipTokenizer.LoadDefault(), prompts, perClass);
    }
}
