namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// What the per-shard scores of one clean folder were computed with. Scores are comparable only for one detector, k,
/// metric, reference and encoder (docs/detection.md), so a resumed or sharded run must match it exactly; the p-values
/// in addition depend on what they were calibrated on (<see cref="CleanCalibration"/>).
/// </summary>
public sealed record CleanConfig(string Embeddings, string Model, string Detector, int K, string Metric, string Reference, int ReferenceCount, string Calibration);
