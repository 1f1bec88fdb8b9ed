namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// How far maintained state is from an exact recomputation: members whose k-NN differ, and per quantity the largest
/// relative difference |maintained − exact| / max(|exact|, tiny).
/// </summary>
public sealed record DriftReport(int Members, int NeighborMismatches, IReadOnlyDictionary<DriftQuantity, double> MaxRelativeError)
{
    public double WorstRelativeError => MaxRelativeError.Values.DefaultIfEmpty(0).Max();

    public bool IsExact(double tolerance) => NeighborMismatches == 0 && WorstRelativeError <= tolerance;

    public override string ToString() =>
        $"members={Members} neighbour_mismatches={NeighborMismatches} "
        + string.Join(' ', MaxRelativeError.Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:G3}")));
}
