using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// The demo's CLIP: a small ViT + text transformer trained by <c>clipguard train</c>'s engine on lab scenes in which
/// 2 % of the pairs carry the demo's backdoor campaign, so the model has learned the trigger, as the paper assumes of
/// a model trained on poisoned data (measured: attack success rate 1.00 against a baseline of 0.25; with 200 copies in
/// 20,000 scenes the same recipe did not learn it, ASR 0.00–0.12, docs/detection-results.md). Trained on the first run (about two and a half
/// minutes on 2 idle cores), cached under the cache directory and reused; a killed run resumes from its last epoch.
/// </summary>
internal static class DemoModel
{
    public const int TrainingScenes = 20_000;
    public const int TrainingPoisons = TrainingScenes / 50;
    public const int Epochs = 3;
    public const int Seed = 1;

    /// <summary>The train command's defaults with a narrower text tower: the captions use a few dozen words.</summary>
    public static readonly SmallClipSpec Spec = new() { TextWidth = 64 };

    /// <summary>The folder of one recipe; a changed recipe trains into a new one.</summary>
    public static string RunDirectory(string cacheDirectory) => Path.Combine(
        cacheDirectory,
        string.Create(CultureInfo.InvariantCulture, $"clip-scenes{TrainingScenes}-poisons{TrainingPoisons}-epochs{Epochs}-text{Spec.TextWidth}-seed{Seed}"));

    /// <summary>The model folder (<c>run --model</c>): the cached one, or a new one trained now.</summary>
    public static string Ensure(string cacheDirectory, string dataDirectory, TextWriter output)
    {
        string run = RunDirectory(cacheDirectory);
        string model = Path.Combine(run, TrainEngine.ModelDirectoryName);
        if (File.Exists(Path.Combine(run, TrainManifest.FileName)) && File.Exists(Path.Combine(model, TrainEngine.WeightsFile)))
        {
            output.WriteLine($"model      cached demo CLIP {Path.GetFullPath(model)}");
            return model;
        }

        var clock = Stopwatch.StartNew();
        string scenes = Path.Combine(run, "scenes");
        SceneOptions recipe = SceneCrawl.Recipe(dataDirectory, TrainingScenes, TrainingPoisons, Seed);
        if (!File.Exists(Path.Combine(scenes, SceneManifest.FileName)))
        {
            // A half-written folder from a killed run is drawn again: same seed, same bytes.
            if (Directory.Exists(scenes))
            {
                Directory.Delete(scenes, recursive: true);
            }

            SceneGenerator.Generate(recipe, scenes, new LabConsoleReporter());
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model      training the demo CLIP (first run only, cached in {Path.GetFullPath(run)}): {TrainingScenes:N0} lab scenes, {TrainingPoisons} of them poisoned, {Epochs} epochs"));
        var train = RateProgress.ForConsole("train");
        var settings = new TrainSettings(scenes, run)
        {
            Labels = Path.Combine(scenes, SceneGenerator.LabelsFileName),
            Epochs = Epochs,
            Model = Spec,
            Seed = Seed,
            Threads = 0,
        };
        TrainManifest manifest = TrainEngine.Run(settings, new TrainObserver
        {
            Train = train,
            Epoch = e =>
            {
                train.Finish();
                output.WriteLine("           " + TrainRunner.DescribeEpoch(e, Epochs));
            },
        });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model      {manifest.ModelVersion} trained in {clock.Elapsed.TotalSeconds:F0} s ({manifest.PairsPerSecond:F0} pairs/s)"));
        return model;
    }
}
