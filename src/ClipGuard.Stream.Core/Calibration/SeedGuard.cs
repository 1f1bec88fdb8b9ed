using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// The frozen reference the stream started from (a trusted seed, or the bootstrap's clean set), kept beside the
/// growing one: a sample enters the reference only if it is also well inside this set's distribution, so poisons that
/// slipped into the growing reference cannot vouch for more of their kind. Its p-values are calibrated on its own
/// members' leave-one-out scores.
/// </summary>
public sealed class SeedGuard
{
    private readonly DensityModel<float> _model;
    private readonly OutlierDetector _detector;
    private readonly DistanceMetric _metric;
    private readonly double[] _sortedLoo;

    public SeedGuard(Matrix<float> rawVectors, int k, DistanceMetric metric, OutlierDetector detector, int threads = 0)
    {
        (_model, int[] slotOfRow) = BatchScorer.Build(rawVectors, k, metric, threads);
        _detector = detector;
        _metric = metric;
        _sortedLoo = [.. slotOfRow.Distinct().Select(s => _model.MemberScores(s).Get(detector)).Where(double.IsFinite).Order()];

        // The guard never changes: it keeps what its queries read and drops the update structures.
        _model.Freeze();
    }

    public int Count => _model.Count;

    /// <summary>The conformal p-value of each raw embedding's novelty score against the seed.</summary>
    public double[] PValues(Matrix<float> rawVectors)
    {
        QueryResult[] results = _model.ScoreQueries(MetricSpace.Prepare(rawVectors, _metric).Data);
        return [.. results.Select(r => ConformalCalibration.PValue(_sortedLoo, r.Scores.Get(_detector)))];
    }
}
