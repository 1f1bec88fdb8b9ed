namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// The decision for one sample and everything needed to audit it: scores are only comparable for a fixed detector,
/// k, reference size and version, and model version, so each verdict names them.
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
    IReadOnlyList<double> NeighborDistances)
{
    public static Verdict DeadLetter(string id, string detector, int k, string modelVersion, string reason) =>
        new(id, Route.DeadLetter, double.NaN, detector, k, 0, 0, modelVersion, double.NaN, reason, [], []);
}
