using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Evaluation;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Lab.Triggers;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Lab.Tests;

/// <summary>
/// The CI smoke test of the lab: a tiny CLIP trained on a Fashion-MNIST subset through the real code path (pairs,
/// poisoning, contrastive training, OpenCLIP checkpoint, reload, zero-shot and ASR, embedding, detectors), on an easy
/// attack (a large white patch, 3% poisoned) so that a working pipeline must plant a real backdoor and rank it high.
/// </summary>
public sealed class LabSmokeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-lab-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static LabTrainOptions Easy => LabTrainOptions.Smoke;

    [Fact]
    public void TrainCheckpointReloadEmbedAndScore()
    {
        var reporter = new RecordingReporter();
        LabRunManifest run = LabTrainer.Train(Easy, _dir, reporter);

        Assert.Equal(3_000, run.TrainCount);
        Assert.Equal(90, run.PoisonedCount);
        // Ten classes: chance is 0.1. A model that learned nothing, or a backdoor that was not planted, fails these.
        Assert.InRange(run.CleanAccuracy, 0.5, 1.0);
        Assert.InRange(run.AttackSuccessRate, 0.8, 1.0);
        ImageSet test = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        Assert.Equal(PoisonedSet.SubsetRows(test.Count, 1_000, Easy.Seed).Count(i => test.Labels[i] != Easy.TargetClass), run.AsrImages);

        // The checkpoint on disk is a loadable OpenCLIP model whose version the manifest names.
        using (var saved = ClipEmbedder.Load(ModelSource.FromDirectory(Path.Combine(_dir, LabRunManifest.ModelDirectoryName))))
        {
            Assert.Equal(run.ModelVersion, $"{saved.ModelId}@{saved.Version}");
        }

        // |R| = 300 holds 9 poisoned rows, fewer than k = 16: their neighbourhoods are clean and sparse.
        LabEvalResult result = LabEvaluator.Evaluate(_dir, new LabEvalOptions { ReferenceSizes = [300], Ks = [16], Stream = false }, _ => throw new InvalidOperationException("no stream"), reporter);
        Assert.Equal(4, result.Rows.Count);
        Assert.All(result.Rows, r => Assert.Equal((9, 291), (r.Report.Positives, r.Report.Negatives)));
        double best = result.Rows.Max(r => r.Report.Auroc);
        Assert.True(best >= 0.9, $"best AUROC {best}: the planted samples should rank high");
        Assert.True(File.Exists(Path.Combine(_dir, LabEvalResult.PlotFile)));
        Assert.Contains("| 300 (9 poisoned) | 16 | DAO |", File.ReadAllText(Path.Combine(_dir, "detection.md")), StringComparison.Ordinal);
        Assert.Equal(result.Rows.Count, LabEvalResult.Read(_dir).Rows.Count);
    }
}
