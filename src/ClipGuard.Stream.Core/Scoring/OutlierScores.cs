namespace ClipGuard.Stream.Core.Scoring;

/// <summary>All four scores of one point, with the LID and lrd they were built from.</summary>
public readonly record struct OutlierScores(double KDistance, double Lid, double Lrd, double Lof, double Slof, double Dao)
{
    public double Get(OutlierDetector detector) => detector switch
    {
        OutlierDetector.KDist => KDistance,
        OutlierDetector.Lof => Lof,
        OutlierDetector.Slof => Slof,
        OutlierDetector.Dao => Dao,
        _ => throw new ArgumentOutOfRangeException(nameof(detector), detector, null),
    };
}
