using System.Numerics;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// Whole-dataset scoring: leave-one-out (every row against the others) and novelty (queries against a reference).
/// Both build the same <see cref="DensityModel{T}"/> the stream maintains incrementally, from scratch.
/// </summary>
public static class BatchScorer
{
    /// <summary>Scores every row of <paramref name="data"/> against all the other rows.</summary>
    public static QueryResult[] LeaveOneOut<T>(Matrix<T> data, int k, DistanceMetric metric, int threads = 0, IProgress<double>? progress = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (DensityModel<T> model, int[] slotOfRow) = Build(data, k, metric, threads, progress);
        var results = new QueryResult[data.Rows];
        for (int i = 0; i < data.Rows; i++)
        {
            int slot = slotOfRow[i];
            results[i] = new QueryResult(model.MemberScores(slot), model.Neighbors(slot).ToArray());
        }

        return results;
    }

    /// <summary>Scores each query row against the reference rows.</summary>
    public static QueryResult[] Novelty<T>(Matrix<T> queries, Matrix<T> reference, int k, DistanceMetric metric, int threads = 0, IProgress<double>? progress = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (queries.Cols != reference.Cols)
        {
            throw new ScoringInputException($"dimension mismatch: embeddings have d = {queries.Cols}, the reference has d = {reference.Cols}");
        }

        (DensityModel<T> model, _) = Build(reference, k, metric, threads, progress is null ? null : new Scaled(progress, 0, 0.5));
        Matrix<T> prepared = MetricSpace.Prepare(queries, metric);
        var results = new QueryResult[queries.Rows];
        const int chunk = 4096;
        for (int start = 0; start < queries.Rows; start += chunk)
        {
            int n = Math.Min(chunk, queries.Rows - start);
            QueryResult[] part = model.ScoreQueries(prepared.Data.AsSpan(start * queries.Cols, n * queries.Cols));
            part.CopyTo(results, start);
            progress?.Report(0.5 + (0.5 * (start + n) / queries.Rows));
        }

        return results;
    }

    /// <summary>Loads rows (duplicates collapsed) and computes every member's state from scratch.</summary>
    public static (DensityModel<T> Model, int[] SlotOfRow) Build<T>(Matrix<T> rows, int k, DistanceMetric metric, int threads = 0, IProgress<double>? progress = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (k < 1)
        {
            throw new ScoringInputException($"k must be at least 1 (got {k})");
        }

        if (rows.Rows <= k)
        {
            throw new ScoringInputException($"k = {k} must be smaller than the number of reference points ({rows.Rows})");
        }

        Matrix<T> prepared = MetricSpace.Prepare(rows, metric);
        var model = new DensityModel<T>(rows.Cols, k, metric, threads: threads, initialCapacity: rows.Rows) { Progress = progress };
        int[] slotOfRow = model.BulkLoad(prepared);
        if (!model.IsReady)
        {
            throw new ScoringInputException(
                $"k = {k} must be smaller than the number of distinct reference points ({model.Count} distinct among {rows.Rows} rows)");
        }

        return (model, slotOfRow);
    }

    private sealed class Scaled(IProgress<double> inner, double offset, double scale) : IProgress<double>
    {
        public void Report(double value) => inner.Report(offset + (scale * value));
    }
}
