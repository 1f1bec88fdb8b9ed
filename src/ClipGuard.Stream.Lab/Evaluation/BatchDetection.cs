using System.Globalization;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// Batch mode as the paper runs it: random references of a few sizes drawn from the embedded training set (the
/// poisoned fraction kept), every member scored leave-one-out against the rest, for every detector and k.
/// </summary>
public static class BatchDetection
{
    public static IReadOnlyList<OutlierDetector> Detectors { get; } = Enum.GetValues<OutlierDetector>();

    public static List<DetectionRow> LeaveOneOut(
        float[][] embeddings, bool[] poisoned, IReadOnlyList<int> sizes, IReadOnlyList<int> ks, int seed, int threads, ILabReporter reporter, List<RocSeries>? curves = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(ks);
        ArgumentNullException.ThrowIfNull(reporter);
        var rows = new List<DetectionRow>();
        var rng = new Random(seed);
        int largest = sizes.Max();
        foreach (int size in sizes)
        {
            int[] sample = size >= embeddings.Length ? [.. Enumerable.Range(0, embeddings.Length)] : ReferenceSample.Draw(poisoned, size, rng);
            Matrix<float> matrix = Stack(embeddings, sample);
            int[] labels = [.. sample.Select(i => poisoned[i] ? 1 : 0)];
            foreach (int k in ks)
            {
                string stage = string.Create(CultureInfo.InvariantCulture, $"batch leave-one-out |R| = {sample.Length}, k = {k}");
                QueryResult[] results = BatchScorer.LeaveOneOut(matrix, k, DistanceMetric.Euclidean, threads, new StageProgress(reporter, stage));
                foreach (OutlierDetector detector in Detectors)
                {
                    double[] scores = [.. results.Select(r => r.Scores.Get(detector))];
                    rows.Add(new DetectionRow(DetectionRow.BatchLeaveOneOut, sample.Length, sample.Length, k, detector, DetectionMetrics.Report(scores, labels)));
                    if (curves is not null && size == largest && k == 16)
                    {
                        var (fpr, tpr) = DetectionMetrics.RocCurve(scores, labels);
                        curves.Add(new RocSeries(string.Create(CultureInfo.InvariantCulture, $"batch {Name(detector)} (|R| = {sample.Length})"), fpr, tpr));
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="embeddings"/> as one matrix.</summary>
    public static Matrix<float> Stack(float[][] embeddings, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(rows);
        int d = embeddings[0].Length;
        var m = new Matrix<float>(rows.Count, d);
        for (int j = 0; j < rows.Count; j++)
        {
            embeddings[rows[j]].CopyTo(m.Row(j));
        }

        return m;
    }

    public static string Name(OutlierDetector detector) => detector switch
    {
        OutlierDetector.KDist => "k-dist",
        OutlierDetector.Lof => "LOF",
        OutlierDetector.Slof => "SLOF",
        OutlierDetector.Dao => "DAO",
        _ => detector.ToString(),
    };

    private sealed class StageProgress(ILabReporter reporter, string stage) : IProgress<double>
    {
        public void Report(double value) => reporter.Progress(stage, (long)(value * 1000), 1000);
    }
}
