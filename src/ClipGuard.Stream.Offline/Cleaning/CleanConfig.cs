namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// What the per-shard scores of one clean folder were computed with. Scores are comparable only for one detector, k,
/// metric, reference and encoder (docs/detection.md), so a resumed or sharded run must match it exactly; the p-values
/// in addition depend on what they were calibrated on (<see cref="CleanCalibration"/>); the merge's confident cut
/// (<c>--budget-confidence</c>) needs how many calibration scores each signal had.
/// </summary>
public sealed record CleanConfig(
    string Embeddings, string Model, string Detector, int K, string Metric, string Reference, int ReferenceCount, string Calibration,
    int DensityCalibrationCount, int AgreementCalibrationCount);
