using System.Text.Json;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Lab.Tests.Training;

/// <summary>
/// <c>lab counts</c> on the folders <c>scripts/lab/asr-curve.sh</c> (asr-E.json of the last epoch) and
/// <c>scripts/lab/rates.sh</c> (asr.json) leave: each run's count, ASR and last-epoch alignment land in its row, grouped
/// by trigger and ordered by count; a run without its ASR is refused with the path.
/// </summary>
public sealed class CountCurveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-counts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EachRunLandsInItsRowGroupedByTriggerAndOrderedByCountAndThePlotIsWritten()
    {
        // Given out of order and mixed on purpose; the 100-poison badnets run uses rates.sh's asr.json name.
        string[] runs =
        [
            Run("badnets-p500", "badnets", 500, asr: 0.99, epochs: 10, asrFile: "asr-10.json", earlier: [0.1, 0.2, 0.5, 0.8, 0.91, 0.95, 0.97, 0.98, 0.99]),
            Run("sig-p25", "sig", 25, asr: 0.40, epochs: 10, asrFile: "asr-10.json"),
            Run("badnets-p25", "badnets", 25, asr: 0.30, epochs: 10, asrFile: "asr-10.json"),
            Run("rates-badnets-s1", "badnets", 100, asr: 0.95, epochs: 10, asrFile: "asr.json"),
        ];

        IReadOnlyList<CountPoint> points = CountCurve.Read(runs);

        Assert.Equal(["badnets", "badnets", "badnets", "sig"], points.Select(p => p.Trigger));
        Assert.Equal([25, 100, 500, 25], points.Select(p => p.Poisons));
        Assert.Equal([0.30, 0.95, 0.99, 0.40], points.Select(p => p.Asr));
        CountPoint rates = points[1];
        Assert.Equal("rates-badnets-s1", rates.Run);
        Assert.Equal(10, rates.Epochs);
        Assert.Equal(0.10, rates.PoisonedCosine!.Value, 12);   // the last epoch's (0.01 per epoch), not an earlier one's
        Assert.Equal(100_000, rates.Pairs);
        Assert.Equal([null, null, null, null, null, null, null, null, null, 0.95], rates.AsrByEpoch);   // rates.sh kept no epochs
        Assert.Null(rates.FirstEpochReaching(0.9));
        CountPoint tracked = points[2];
        Assert.Equal([0.1, 0.2, 0.5, 0.8, 0.91, 0.95, 0.97, 0.98, 0.99, 0.99], tracked.AsrByEpoch);
        Assert.Equal(5, tracked.FirstEpochReaching(0.9));

        string markdown = CountCurve.Markdown(points, "test");
        string[] rows = markdown.Split('\n').Where(l => l.StartsWith("| badnets", StringComparison.Ordinal) || l.StartsWith("| sig", StringComparison.Ordinal)).ToArray();
        Assert.Equal(4, rows.Length);
        Assert.StartsWith("| badnets | 100 | 100000 | 0.1 % | 10 | 0.950 |", rows[1], StringComparison.Ordinal);
        Assert.Contains("| 5 | 0.10, 0.20, 0.50, 0.80, 0.91, 0.95, 0.97, 0.98, 0.99, 0.99 |", rows[2], StringComparison.Ordinal);
        Assert.Contains("| — | —, —, —, —, —, —, —, —, —, 0.95 |", rows[1], StringComparison.Ordinal);

        string png = Path.Combine(_dir, "counts.png");
        CountCurve.Plot(points, "test", png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png)[..8]);

        // Per-epoch plots only for triggers with a run whose every epoch was measured: badnets-p500 here, not sig.
        IReadOnlyList<string> epochPlots = CountCurve.PlotEpochs(points, "test", Path.Combine(_dir, "counts-epochs"));
        Assert.Equal([Path.Combine(_dir, "counts-epochs-badnets.png")], epochPlots);
        Assert.True(new FileInfo(epochPlots[0]).Length > 1000);
    }

    [Fact]
    public void ARunWithoutItsFinalAsrOrPoisonCountIsRefusedWithThePath()
    {
        string run = Run("blend-p50", "blend", 50, asr: 0.5, epochs: 10, asrFile: "asr-9.json");   // not the last epoch's
        var missing = Assert.Throws<FileNotFoundException>(() => CountCurve.Read([run]));
        Assert.Contains(Path.Combine("blend-p50", "asr-10.json"), missing.Message, StringComparison.Ordinal);

        string unlabelled = Run("blend-p0", "blend", null, asr: 0.5, epochs: 10, asrFile: "asr.json");
        var noCount = Assert.Throws<InvalidDataException>(() => CountCurve.Read([unlabelled]));
        Assert.Contains("train.json", noCount.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CountCurve.Read([]));
    }

    private string Run(string name, string trigger, int? poisons, double asr, int epochs, string asrFile, double[]? earlier = null)
    {
        string dir = Path.Combine(_dir, name), train = Path.Combine(dir, "train");
        Directory.CreateDirectory(train);
        var manifest = new TrainManifest
        {
            Input = "scenes", Epochs = epochs, Batch = 256, Model = new SmallClipSpec(), LearningRate = 1e-3, WeightDecay = 0.1,
            Seed = 1, Threads = 0, Shards = 1, Pairs = 100_000, DistinctCaptions = 90_000, PoisonedPairs = poisons,
            Skipped = new Dictionary<string, long>(), DecodeSeconds = 1, ResumedAfterEpoch = 0, TrainSeconds = 600, PairsPerSecond = 1500,
            History = [.. Enumerable.Range(1, epochs).Select(e => new EpochSummary(e, 1.0 / e, 10, 5, 100, 0.8, 0.01 * e, 0.8))],
            ModelDirectory = "model", ModelVersion = "small@1",
        };
        File.WriteAllText(Path.Combine(train, TrainManifest.FileName), JsonSerializer.Serialize(manifest, JsonSerializerOptions.Web));
        File.WriteAllText(Path.Combine(dir, asrFile), JsonSerializer.Serialize(new SceneAsrResult(1000, asr, 0.05, 0.2, "sneaker", trigger) { Flipped = asr * 0.9 }));
        for (int e = 0; e < (earlier?.Length ?? 0); e++)
        {
            File.WriteAllText(Path.Combine(dir, $"asr-{e + 1}.json"), JsonSerializer.Serialize(new SceneAsrResult(1000, earlier![e], 0.05, 0.2, "sneaker", trigger)));
        }

        return dir;
    }
}
