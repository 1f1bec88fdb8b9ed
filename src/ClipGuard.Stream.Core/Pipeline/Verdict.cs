namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// The decision for one sample and everything needed to audit it: scores are only comparable for a fixed detector,
/// k, reference size and version, and model version, so each verdict names them. Under the conformal rule it also
/// carries the fused p-value the route was decided by, the calibration version that gave it (NaN and 0 otherwise), and
/// the campaign the sample was confirmed a member of (null when none).
/// </summary>
public sealed record Verdict(
    string SampleId,
    Route Route,
    double Score,
    string Detector,
    int K,
    int ReferenceSize,
    long ReferenceVersion,
    string ModelVersion,
    double Threshold,
    string Reason,
    IReadOnlyList<string> NeighborIds,
    IReadOnlyList<double> NeighborDistances,
    double PValue = double.NaN,
    long CalibrationVersion = 0,
    string? CampaignId = null)
{
    public static Verdict DeadLetter(string id, string detector, int k, string modelVersion, string reason) =>
        new(id, Route.DeadLetter, double.NaN, detector, k, 0, 0, modelVersion, double.NaN, reason, [], []);
}
