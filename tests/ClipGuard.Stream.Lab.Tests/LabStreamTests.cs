using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Evaluation;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Lab.Tests;

/// <summary>
/// Streaming mode end to end: a lab checkpoint, a real <c>clipguard dev-broker</c>, PNG envelopes, and real
/// <c>clipguard run --model</c> processes. The stream decodes and embeds the images itself, so its scores equal the
/// batch scores only if its preprocessing and embedding equal the lab's.
/// </summary>
public sealed class LabStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-labstream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StreamedScoresEqualBatchScoresOfTheSameImagesAgainstTheSameReference()
    {
        var reporter = new RecordingReporter();
        LabTrainer.Train(LabSmokeTests.Easy with { TrainSubset = 2_000, TestSubset = 200, Epochs = 1 }, _dir, reporter);
        var options = new LabEvalOptions
        {
            ReferenceSizes = [300],
            Ks = [8],
            StreamOptions = new StreamEvalOptions { StreamSize = 400, ReferenceSize = 300, Ks = [8], Detectors = [OutlierDetector.Dao, OutlierDetector.KDist] },
        };
        LabEvalResult result = LabEvaluator.Evaluate(_dir, options, CliProcess.StartInfo, reporter);

        StreamResult stream = Assert.IsType<StreamResult>(result.Stream);
        Assert.Equal(400, stream.Published);
        Assert.Equal(2, stream.Runs.Count);
        Assert.All(stream.Runs, r => Assert.Equal(400, r.Routed));
        // float32 in both paths, from the same pixels: the scores agree to rounding.
        Assert.InRange(stream.MaxScoreDifference, 0, 1e-4);
        foreach (OutlierDetector detector in new[] { OutlierDetector.Dao, OutlierDetector.KDist })
        {
            DetectionRow streamed = Assert.Single(result.Rows, r => r.Mode == DetectionRow.Streaming && r.Detector == detector);
            DetectionRow batch = Assert.Single(result.Rows, r => r.Mode == DetectionRow.BatchNovelty && r.Detector == detector);
            Assert.Equal((12, 388), (streamed.Report.Positives, streamed.Report.Negatives));
            Assert.Equal(batch.Report.Auroc, streamed.Report.Auroc, 0.005);
            Assert.InRange(streamed.Recall!.Value, 0, 1);
        }

        Assert.Contains(reporter.Lines, l => l.StartsWith("published 400 PNG envelopes", StringComparison.Ordinal));
    }
}
