using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Embedding;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>
/// Fashion-MNIST pairs with planted backdoors, written in both img2dataset layouts: both embed to the same rows, and
/// the clean's scores (and so its AUROC) are exactly the batch scorer's on the same embeddings.
/// </summary>
[Collection(InProcessTorch.Name)]
public sealed class EndToEndTests : IDisposable
{
    private const int Clean = 600, Poisoned = 8, PerShard = 100;
    private const int Shards = (Clean + Poisoned + PerShard - 1) / PerShard;
    private readonly TempFolder _temp = new();
    private readonly List<TestSample> _samples = PoisonedFashion.Create(Clean, Poisoned);
    private readonly string _model;

    public EndToEndTests() => _model = TinyModel.Create(_temp.Sub("model"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Both_layouts_embed_to_the_same_rows_and_clean_matches_the_batch_scorer()
    {
        DatasetWriter.WriteTar(_temp.Sub("wds"), _samples, PerShard);
        DatasetWriter.WriteFiles(_temp.Sub("files"), _samples, PerShard);
        var fromTar = await EmbedEngine.RunAsync(new EmbedSettings(_model, null, _temp.Sub("wds"), _temp.Sub("emb-wds")) { Batch = 16 }, cancellationToken: TestContext.Current.CancellationToken);
        var fromFiles = await EmbedEngine.RunAsync(new EmbedSettings(_model, null, _temp.Sub("files"), _temp.Sub("emb-files")) { Batch = 16 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(_samples.Count, fromTar.Samples);
        Assert.Equal(_samples.Count, fromFiles.Samples);
        Assert.Empty(fromTar.Skipped);
        for (int i = 0; i < Shards; i++)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_temp.Sub("emb-wds"), "img_emb", $"img_emb_{i}.npy")),
                         File.ReadAllBytes(Path.Combine(_temp.Sub("emb-files"), "img_emb", $"img_emb_{i}.npy")));
        }

        Matrix<float> all = Concat(_temp.Sub("emb-wds"), Shards);
        int[] labels = _samples.Select(s => s.Poisoned ? 1 : 0).ToArray();

        // |R| = n: every sample is scored leave-one-out, exactly as the batch scorer does it.
        var full = CleanEngine.Run(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-full")) { ReferenceSize = _samples.Count, RemoveTopPercent = 2, BurstMin = 5 }, cancellationToken: TestContext.Current.CancellationToken);
        double[] scores = ReadScores(_temp.Sub("clean-full"));
        double[] batch = BatchScorer.LeaveOneOut(all, 16, DistanceMetric.Euclidean).Select(q => q.Scores.Dao).ToArray();
        Assert.Equal(batch, scores);
        double auroc = DetectionMetrics.Auroc(scores, labels);
        Assert.Equal(DetectionMetrics.Auroc(batch, labels), auroc);
        // A random-weight encoder has learned no backdoor, so how well the trigger separates here says nothing; detection
        // quality is held up in LabCheckpointEndToEndTests, on a checkpoint trained on the poisoned pairs.
        var summary = Assert.IsType<CleanSummary>(full.Summary);
        Assert.Equal(_samples.Count, summary.Samples);
        Assert.Equal((int)Math.Ceiling(_samples.Count * 0.02), summary.Removed);
        var removed = File.ReadAllLines(Path.Combine(_temp.Sub("clean-full"), "remove.txt"));
        Assert.Equal(summary.Removed, removed.Length);
        Assert.Equal(summary.Top[0].Id, removed[0]);
        var burst = Assert.Single(summary.Bursts);
        Assert.Equal(PoisonedFashion.TargetCaption, burst.Caption);
        Assert.Equal(Poisoned, burst.Count);
        Assert.Equal(new SourceCount(PoisonedFashion.AttackerHost, Poisoned), Assert.Single(burst.Sources));
        Assert.True(new FileInfo(Path.Combine(_temp.Sub("clean-full"), "score_histogram.png")).Length > 1000);

        // A random reference of 200: the clean's scores are the batch scorer's novelty scores against the same rows.
        CleanEngine.Run(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-200")) { ReferenceSize = 200, Seed = 9, RemoveTopPercent = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        double[] sampled = ReadScores(_temp.Sub("clean-200"));
        int[] rows = ReferenceSampler.Draw(_samples.Count, 200, 9);
        var reference = new Matrix<float>(rows.Length, all.Cols);
        for (int i = 0; i < rows.Length; i++)
        {
            all.RowReadOnly(rows[i]).CopyTo(reference.Row(i));
        }

        double[] novelty = BatchScorer.Novelty(all, reference, 16, DistanceMetric.Euclidean).Select(q => q.Scores.Dao).ToArray();
        Assert.Equal(novelty, sampled);
        Assert.Equal(DetectionMetrics.Auroc(novelty, labels), DetectionMetrics.Auroc(sampled, labels));
    }

    internal static Matrix<float> Concat(string embeddings, int shards)
    {
        var parts = Enumerable.Range(0, shards).Select(i => Npy.ReadMatrixSingle(Path.Combine(embeddings, "img_emb", $"img_emb_{i}.npy"))).ToArray();
        var all = new Matrix<float>(parts.Sum(p => p.Rows), parts[0].Cols);
        int row = 0;
        foreach (var p in parts)
        {
            p.Data.CopyTo(all.Data, row * all.Cols);
            row += p.Rows;
        }

        return all;
    }

    internal static double[] ReadScores(string cleanFolder) =>
        File.ReadLines(Path.Combine(cleanFolder, "scores.csv")).Skip(1)
            .Select(l => double.Parse(l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
