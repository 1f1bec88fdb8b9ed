namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Streaming mode's outcome: stream rows, the batch-novelty rows to compare them with, curves, timings.</summary>
public sealed record StreamResult(
    List<DetectionRow> Rows, List<RocSeries> Curves, List<StreamRunReport> Runs, double PublishPerSecond, int Published, int ReferenceSize,
    double MaxScoreDifference);
