using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Cli.Benchmarks;

/// <summary>
/// Scores the benchmark's queries with the exact reference state and a given neighbour list, so exact and approximate
/// neighbours can be compared through the very arithmetic the product uses. Approximate neighbours get canonical
/// distances (as the scoring path would refine them) so only the choice of neighbours differs.
/// </summary>
internal sealed class Scorer(DensityModel<float> model, int[] slotOfRow, float[] queries, int dim, int k, int[] labels)
{
    /// <summary>Mean relative DAO and LOF differences, and AUROC(found) − AUROC(truth) for each.</summary>
    public (double RelDao, double RelLof, double AucDao, double AucLof) Compare(KnnResult truth, KnnResult found)
    {
        int n = truth.Queries;
        double[] daoT = new double[n], daoF = new double[n], lofT = new double[n], lofF = new double[n];
        double relDao = 0, relLof = 0;
        for (int q = 0; q < n; q++)
        {
            OutlierScores t = Score(q, truth.IdsOf(q));
            OutlierScores f = Score(q, found.IdsOf(q));
            (daoT[q], daoF[q], lofT[q], lofF[q]) = (t.Dao, f.Dao, t.Lof, f.Lof);
            relDao += Math.Abs(f.Dao - t.Dao) / Math.Abs(t.Dao);
            relLof += Math.Abs(f.Lof - t.Lof) / Math.Abs(t.Lof);
        }

        return (relDao / n, relLof / n,
            DetectionMetrics.Auroc(daoF, labels) - DetectionMetrics.Auroc(daoT, labels),
            DetectionMetrics.Auroc(lofF, labels) - DetectionMetrics.Auroc(lofT, labels));
    }

    private OutlierScores Score(int q, ReadOnlySpan<long> ids)
    {
        ReadOnlySpan<float> query = queries.AsSpan(q * dim, dim);
        var neighbors = new Neighbor[k];
        for (int j = 0; j < k; j++)
        {
            int slot = slotOfRow[ids[j]];
            neighbors[j] = new Neighbor(slot, Distances.FromSquared(Distances.SquaredDifference(query, model.Store.Row(slot)), DistanceMetric.Euclidean));
        }

        Array.Sort(neighbors);
        return model.ScoreNeighborhood(neighbors).Scores;
    }
}
