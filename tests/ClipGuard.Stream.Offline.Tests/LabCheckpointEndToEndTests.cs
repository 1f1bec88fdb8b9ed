using System.Globalization;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Lab;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Evaluation;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Lab.Triggers;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Embedding;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>
/// The end-to-end check: a tiny CLIP trained by the lab on poisoned Fashion-MNIST pairs, its own training set
/// written as img2dataset shards in both layouts, then embed and clean. The embeddings equal the lab's in-memory ones,
/// and against the lab's batch-mode reference the clean gives the lab's leave-one-out scores and AUROC exactly.
/// </summary>
[Collection(InProcessTorch.Name)]
public sealed class LabCheckpointEndToEndTests : IDisposable
{
    private const int ReferenceSize = 300, PerShard = 500;
    private static readonly LabTrainOptions Options = LabTrainOptions.Smoke with { TestSubset = 200 };

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Embed_then_clean_finds_the_planted_backdoors_with_the_lab_batch_AUROC()
    {
        var ct = TestContext.Current.CancellationToken;
        ILabReporter reporter = NullLabReporter.Instance;
        lock (TinyModel.TorchSeedGate)
        {
            LabTrainer.Train(Options, _temp.Path, reporter);
        }

        string model = Path.Combine(_temp.Path, LabRunManifest.ModelDirectoryName);
        PoisonedSet set = LabTrainer.BuildTrainingSet(Options, FashionMnist.Load(FashionMnist.DefaultDirectory, train: true));
        var samples = Pairs(set);
        DatasetWriter.WriteTar(_temp.Sub("wds"), samples, PerShard);
        DatasetWriter.WriteFiles(_temp.Sub("files"), samples, PerShard);

        // --batch 500 = the lab's embedding batch, so both forward passes see the same batches; the lab normalises.
        await EmbedEngine.RunAsync(new EmbedSettings(model, null, _temp.Sub("wds"), _temp.Sub("emb")) { Batch = SetEmbedder.BatchSize, Normalize = true }, cancellationToken: ct);
        await EmbedEngine.RunAsync(new EmbedSettings(model, null, _temp.Sub("files"), _temp.Sub("emb-files")) { Batch = SetEmbedder.BatchSize, Normalize = true }, cancellationToken: ct);
        int shards = (samples.Count + PerShard - 1) / PerShard;
        Matrix<float> embedded = EndToEndTests.Concat(_temp.Sub("emb"), shards);
        Assert.Equal(embedded.Data, EndToEndTests.Concat(_temp.Sub("emb-files"), shards).Data);
        float[][] lab;
        using (var embedder = ClipEmbedder.Load(ModelSource.FromDirectory(model)))
        {
            lab = SetEmbedder.Embed(embedder, set.Images, reporter, "embed");
        }

        Assert.Equal(lab.SelectMany(r => r).ToArray(), embedded.Data);

        // The lab's batch mode: a reference that keeps the poisoned share, every member scored leave-one-out.
        int[] rows = ReferenceSample.Draw(set.Poisoned, ReferenceSize, new Random(Options.Seed));
        List<DetectionRow> batch = BatchDetection.LeaveOneOut(lab, set.Poisoned, [ReferenceSize], [16], Options.Seed, 0, reporter);
        double labAuroc = batch.Single(r => r.Detector == OutlierDetector.Dao).Report.Auroc;
        string reference = _temp.Sub("reference.npy");
        Npy.Write(reference, BatchDetection.Stack(lab, rows));

        var report = CleanEngine.Run(new CleanSettings(_temp.Sub("emb"), _temp.Sub("clean")) { Reference = reference, RemoveTopPercent = 3 }, cancellationToken: ct);
        double[] scores = EndToEndTests.ReadScores(_temp.Sub("clean"));
        int[] labels = set.Poisoned.Select(p => p ? 1 : 0).ToArray();
        double[] memberScores = rows.Select(r => scores[r]).ToArray();
        Assert.Equal(labAuroc, DetectionMetrics.Auroc(memberScores, rows.Select(r => labels[r]).ToArray()));

        // Over the whole dataset (2,700 of the 3,000 are not in the reference and are scored as new samples).
        double auroc = DetectionMetrics.Auroc(scores, labels);
        // Measured: 0.949 over all 3,000 and 0.994 for the lab's reference members; 47 of 90 poisoned in the top 3%.
        Assert.True(auroc >= 0.9, string.Create(CultureInfo.InvariantCulture, $"whole-dataset AUROC {auroc} (lab batch {labAuroc})"));
        var removed = File.ReadAllLines(Path.Combine(_temp.Sub("clean"), "remove.txt")).ToHashSet();
        Assert.Equal(report.Summary!.Removed, removed.Count);
        int caught = samples.Count(s => s.Poisoned && removed.Contains(s.Key));
        Assert.True(caught >= set.PoisonedCount / 2, $"top 3% removal caught {caught} of {set.PoisonedCount} poisoned");
    }

    /// <summary>The lab's training pairs as a crawler would store them: PNG, the caption trained on, a URL.</summary>
    private static List<TestSample> Pairs(PoisonedSet set)
    {
        var samples = new List<TestSample>(set.Images.Count);
        for (int i = 0; i < set.Images.Count; i++)
        {
            string caption = string.Format(CultureInfo.InvariantCulture, Captions.Templates[0], FashionMnist.ClassNames[set.CaptionClass(i)]);
            string url = set.Poisoned[i] ? $"https://{PoisonedFashion.AttackerHost}/{i}.png" : $"https://shop{i % 4}.example/{i}.png";
            samples.Add(new TestSample(PoisonedFashion.Key(i), LabImages.Png(set.Images.Image(i), set.Images.Width, set.Images.Height), "png", caption, url, set.Poisoned[i]));
        }

        return samples;
    }
}
