namespace ClipGuard.Stream.Core.Scoring;

internal sealed class DriftAccumulator
{
    private readonly Dictionary<DriftQuantity, double> _max = Enum.GetValues<DriftQuantity>().ToDictionary(q => q, _ => 0.0);

    public int NeighborMismatches { get; set; }

    public void Add(DriftQuantity quantity, double maintained, double exact)
    {
        double rel = maintained == exact ? 0 : Math.Abs(maintained - exact) / Math.Max(Math.Abs(exact), 1e-300);
        if (double.IsNaN(rel))
        {
            rel = double.PositiveInfinity;
        }

        _max[quantity] = Math.Max(_max[quantity], rel);
    }

    public DriftReport ToReport(int members) => new(members, NeighborMismatches, _max);
}
