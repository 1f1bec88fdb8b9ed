using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// The frozen reference the stream started from (a trusted seed, or the bootstrap's clean set), kept beside the
/// growing one: a sample enters the reference only if it is also well inside this set's distribution, so poisons that
/// slipped into the growing reference cannot vouch for more of their kind. Its p-values are calibrated on its own
/// members' leave-one-out scores. A starting set larger than the guard's cap is represented by a uniform sample of its
/// members (<see cref="Sample"/>): the p-values are then those of the sample, calibrated on the sample's own members.
/// </summary>
public sealed class SeedGuard
{
    private readonly DensityModel<float> _model;
    private readonly OutlierDetector _detector;
    private readonly DistanceMetric _metric;
    private readonly double[] _sortedLoo;

    /// <param name="maxMembers">At most this many of the rows are kept (a uniform sample drawn with <paramref name="seed"/>); 0 = all.</param>
    public SeedGuard(Matrix<float> rawVectors, int k, DistanceMetric metric, OutlierDetector detector, int threads = 0, int maxMembers = 0, int seed = 1)
    {
        StartingRows = rawVectors.Rows;
        (_model, int[] slotOfRow) = BatchScorer.Build(Sample(rawVectors, maxMembers, seed), k, metric, threads);
        _detector = detector;
        _metric = metric;
        _sortedLoo = [.. slotOfRow.Distinct().Select(s => _model.MemberScores(s).Get(detector)).Where(double.IsFinite).Order()];

        // The guard never changes: it keeps what its queries read and drops the update structures.
        _model.Freeze();
    }

    /// <summary>Distinct points the guard holds.</summary>
    public int Count => _model.Count;

    /// <summary>Rows of the starting set the guard was drawn from.</summary>
    public int StartingRows { get; }

    /// <summary>
    /// The rows the guard keeps: all of them when there are at most <paramref name="maxMembers"/> (or the cap is 0),
    /// otherwise <paramref name="maxMembers"/> rows drawn uniformly without replacement by a generator seeded with
    /// <paramref name="seed"/>, in their original order (the same rows on every replica and every restart).
    /// </summary>
    public static Matrix<float> Sample(Matrix<float> rows, int maxMembers, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMembers);
        if (maxMembers == 0 || rows.Rows <= maxMembers)
        {
            return rows;
        }

        int[] order = [.. Enumerable.Range(0, rows.Rows)];
        new Random(seed).Shuffle(order);
        int[] kept = [.. order.AsSpan(0, maxMembers).ToArray().Order()];
        var sample = new Matrix<float>(maxMembers, rows.Cols);
        for (int i = 0; i < kept.Length; i++)
        {
            rows.RowReadOnly(kept[i]).CopyTo(sample.Row(i));
        }

        return sample;
    }

    /// <summary>
    /// Each raw embedding's k nearest guard members (distances ascending, the k-distance last) and scores: the clean
    /// density around a suspect as the trusted start saw it (the growing reference under-represents the tails, where
    /// the admission floor keeps most samples out).
    /// </summary>
    public QueryResult[] Query(Matrix<float> rawVectors) => _model.ScoreQueries(MetricSpace.Prepare(rawVectors, _metric).Data);

    /// <summary>The conformal p-value of each raw embedding's novelty score against the seed.</summary>
    public double[] PValues(Matrix<float> rawVectors)
    {
        QueryResult[] results = _model.ScoreQueries(MetricSpace.Prepare(rawVectors, _metric).Data);
        return [.. results.Select(r => ConformalCalibration.PValue(_sortedLoo, r.Scores.Get(_detector)))];
    }
}
