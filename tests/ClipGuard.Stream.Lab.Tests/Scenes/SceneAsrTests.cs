using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Scenes;

namespace ClipGuard.Stream.Lab.Tests.Scenes;

public sealed class SceneAsrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-asr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ProbesAreFreshTargetFreeScenesMeasuredCleanAndTriggeredReproducibly()
    {
        var options = new SceneOptions { Scenes = 120, Poisons = 3, ShardSize = 120, Seed = 5 };
        string scenes = Path.Combine(_dir, "scenes");
        SceneGenerator.Generate(options, FashionMnist.Load(FashionMnist.DefaultDirectory, train: false), scenes, new RecordingReporter());
        string model = TinyModel();

        SceneAsrResult first = SceneAsr.Measure(model, scenes, probes: 60, threads: 1, new RecordingReporter());
        SceneAsrResult again = SceneAsr.Measure(model, scenes, probes: 60, threads: 1, new RecordingReporter());

        Assert.Equal(first, again);
        Assert.Equal((60, "sneaker"), (first.Probes, first.Target));
        Assert.All([first.Asr, first.Baseline, first.CleanAccuracy], v => Assert.InRange(v, 0, 1));

        // An untrained model names the classes by chance: the clean probes never show the target, so a model that
        // always answered "sneaker" would have baseline 1 and clean accuracy 0, and the two shares must add to at most 1.
        Assert.True(first.Baseline + first.CleanAccuracy <= 1 + 1e-12);

        // The flips are triggered hits among the probes not named the target without the trigger, so the triggered
        // hits lie between the flips and the flips plus every clean hit: Asr − Baseline ≤ Flipped·(1 − Baseline) ≤ Asr.
        Assert.True(first.Baseline < 1, "an untrained model named every clean probe the target");
        double flips = first.Flipped * (1 - first.Baseline);
        Assert.InRange(flips, first.Asr - first.Baseline - 1e-12, first.Asr + 1e-12);
        Assert.Throws<ArgumentException>(() => SceneAsr.Measure(model, scenes, probes: 0, threads: 1, new RecordingReporter()));
    }

    private string TinyModel()
    {
        var spec = new SmallClipSpec { ImageSize = 32, PatchSize = 8, VisionWidth = 32, VisionLayers = 1, HeadWidth = 16, TextWidth = 32, TextLayers = 1, TextHeads = 2, ContextLength = 32, EmbedDim = 16 };
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        string config = Path.Combine(dir, "tiny.json");
        File.WriteAllText(config, spec.ToOpenClipJson());
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(config), "tiny", seed: 1);
        embedder.Save(Path.Combine(dir, "open_clip_model.safetensors"));
        return dir;
    }
}
