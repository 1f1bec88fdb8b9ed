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

        // The default rule, recomputed by hand: density p against the reference members' leave-one-out scores, agreement
        // p against the drawn pairs' disagreements (the same 200 rows), fused as 2 · min; removed when p ≤ the budget.
        var budget = CleanEngine.Run(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-budget")) { ReferenceSize = 200, Seed = 9, FalseRemovalRate = 0.02 }, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<float> texts = Concat(_temp.Sub("emb-wds"), Shards, "text_emb");
        double[] disagreement = [.. Enumerable.Range(0, all.Rows).Select(i => Core.Calibration.PairAgreement.Disagreement(all.RowReadOnly(i), texts.RowReadOnly(i)))];
        double[] densityCalibration = BatchScorer.LeaveOneOut(reference, 16, DistanceMetric.Euclidean).Select(q => q.Scores.Dao).ToArray();
        double[] agreementCalibration = rows.Select(r => disagreement[r]).ToArray();
        static double P(double[] calibration, double value) => (1.0 + calibration.Count(c => c >= value)) / (calibration.Length + 1);
        double[] expected = [.. Enumerable.Range(0, all.Rows).Select(i => Math.Min(1, 2 * Math.Min(P(densityCalibration, novelty[i]), P(agreementCalibration, disagreement[i]))))];
        double[] pValues = ReadPValues(_temp.Sub("clean-budget"));
        Assert.Equal(expected, pValues);
        string[] ids = [.. File.ReadLines(Path.Combine(_temp.Sub("clean-budget"), "scores.csv")).Skip(1).Select(l => l.Split(',')[0])];
        string[] removedByBudget = File.ReadAllLines(Path.Combine(_temp.Sub("clean-budget"), "remove.txt"));
        Assert.Equal(Enumerable.Range(0, all.Rows).Where(i => expected[i] <= 0.02).Select(i => ids[i]).Order(), removedByBudget.Order());
        Assert.Equal(removedByBudget.Select(id => expected[Array.IndexOf(ids, id)]).Order(), removedByBudget.Select(id => expected[Array.IndexOf(ids, id)]));
        var budgetSummary = Assert.IsType<CleanSummary>(budget.Summary);
        Assert.Equal(removedByBudget.Length, budgetSummary.Removed);
        Assert.StartsWith("fused p-value <= 0.02", budgetSummary.RemovalRule, StringComparison.Ordinal);
        Assert.Contains("fused (Bonferroni) with the image-caption disagreement of 200 pairs", budgetSummary.Config.Calibration, StringComparison.Ordinal);

        // A trusted reference folder (here the same pairs, embedded from the other layout): every sample is then scored
        // leave-one-out among all, and both signals are calibrated on all pairs, so each p-value is a fused rank.
        CleanEngine.Run(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-trusted")) { Reference = _temp.Sub("emb-files"), FalseRemovalRate = 0.01 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(batch, ReadScores(_temp.Sub("clean-trusted")));
        double[] ranked = [.. Enumerable.Range(0, all.Rows).Select(i => Math.Min(1, 2 * Math.Min(P(batch, batch[i]), P(disagreement, disagreement[i]))))];
        Assert.Equal(ranked, ReadPValues(_temp.Sub("clean-trusted")));
        Assert.Equal(Enumerable.Range(0, all.Rows).Count(i => ranked[i] <= 0.01), File.ReadAllLines(Path.Combine(_temp.Sub("clean-trusted"), "remove.txt")).Length);

        // A folder embedded with another model (or normalisation) is refused: its space is not the dataset's.
        string other = _temp.Sub("emb-other");
        foreach (string file in Directory.EnumerateFiles(_temp.Sub("emb-files"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(other, Path.GetRelativePath(_temp.Sub("emb-files"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string manifest = Path.Combine(other, "embed_manifest.json");
        string original = File.ReadAllText(manifest);
        File.WriteAllText(manifest, original.Replace("\"normalized\": false", "\"normalized\": true", StringComparison.Ordinal));
        Assert.NotEqual(original, File.ReadAllText(manifest));
        var mismatch = Assert.Throws<OfflineInputException>(() => CleanEngine.Run(
            new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-other")) { Reference = other, FalseRemovalRate = 0.01 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("embed both with the same model and flags", mismatch.Message, StringComparison.Ordinal);

        // A budget below the smallest p-value 200 calibration values can give (2/201) is refused before anything is scored.
        var tooSmall = Assert.Throws<OfflineInputException>(() => CleanEngine.Run(
            new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-tiny-budget")) { ReferenceSize = 200, Seed = 9 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("--false-removal-rate 0.001 is below the smallest p-value", tooSmall.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.Sub("clean-tiny-budget"), "scores")) && Directory.EnumerateFiles(Path.Combine(_temp.Sub("clean-tiny-budget"), "scores")).Any());

        // The confident cut, recomputed by hand: at 5 % over two signals with confidence 0.9, each signal of 200
        // calibration scores is cut at the largest rank r with P(Binomial(200, 0.025) <= r - 1) <= 0.05 (r = 2, where the
        // marginal rule's fused p <= 0.05 is each p <= 5/201): a sample goes when either of its own p-values is <= r/201.
        static double BinomialCdf(int n, double p, int j)
        {
            double sum = 0;
            for (int i = 0; i <= j; i++)
            {
                double log = Enumerable.Range(1, i).Sum(t => Math.Log(n - i + t) - Math.Log(t)) + (i * Math.Log(p)) + ((n - i) * Math.Log(1 - p));
                sum += Math.Exp(log);
            }

            return sum;
        }

        int rank = 0;
        while (BinomialCdf(200, 0.025, rank) <= 0.05)
        {
            rank++;
        }

        Assert.Equal(2, rank);
        var confident = CleanEngine.Run(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-confident")) { ReferenceSize = 200, Seed = 9, FalseRemovalRate = 0.05, BudgetConfidence = 0.9 }, cancellationToken: TestContext.Current.CancellationToken);
        double level = rank / 201.0;
        string[] expectedConfident = [.. Enumerable.Range(0, all.Rows)
            .Where(i => P(densityCalibration, novelty[i]) <= level || P(agreementCalibration, disagreement[i]) <= level).Select(i => ids[i]).Order()];
        string[] removedConfident = File.ReadAllLines(Path.Combine(_temp.Sub("clean-confident"), "remove.txt"));
        Assert.NotEmpty(removedConfident);
        Assert.Equal(expectedConfident, removedConfident.Order());
        var confidentSummary = Assert.IsType<CleanSummary>(confident.Summary);
        Assert.Contains("with confidence 0.9 over the calibration draw", confidentSummary.RemovalRule, StringComparison.Ordinal);
        // The same scores merged under the marginal rule remove a superset: the confident cut sits deeper in the tail.
        var marginal = CleanMerger.Merge(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-confident")) { ReferenceSize = 200, Seed = 9, FalseRemovalRate = 0.05 });
        string[] removedMarginal = File.ReadAllLines(Path.Combine(_temp.Sub("clean-confident"), "remove.txt"));
        Assert.Equal(Enumerable.Range(0, all.Rows).Count(i => Math.Min(1, 2 * Math.Min(P(densityCalibration, novelty[i]), P(agreementCalibration, disagreement[i]))) <= 0.05), marginal.Removed);
        Assert.Superset(expectedConfident.ToHashSet(), removedMarginal.ToHashSet());
        Assert.True(marginal.Removed > expectedConfident.Length, $"{marginal.Removed} vs {expectedConfident.Length}");

        // A folder scored before per-signal p-values were kept cannot be merged under the confident cut.
        File.Delete(Path.Combine(_temp.Sub("clean-confident"), "scores", "pdensity_0.npy"));
        var old = Assert.Throws<OfflineInputException>(() => CleanMerger.Merge(new CleanSettings(_temp.Sub("emb-wds"), _temp.Sub("clean-confident")) { ReferenceSize = 200, Seed = 9, FalseRemovalRate = 0.05, BudgetConfidence = 0.9 }));
        Assert.Contains("scored without per-signal p-values", old.Message, StringComparison.Ordinal);
    }

    internal static Matrix<float> Concat(string embeddings, int shards, string kind = "img_emb")
    {
        var parts = Enumerable.Range(0, shards).Select(i => Npy.ReadMatrixSingle(Path.Combine(embeddings, kind, $"{kind}_{i}.npy"))).ToArray();
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
            .Select(l => double.Parse(l.Split(',')[^2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The fused p-values of scores.csv, in row order.</summary>
    internal static double[] ReadPValues(string cleanFolder) =>
        File.ReadLines(Path.Combine(cleanFolder, "scores.csv")).Skip(1)
            .Select(l => double.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
