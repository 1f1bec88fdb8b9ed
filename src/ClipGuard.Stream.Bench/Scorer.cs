using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// Scores the benchmark's queries with the exact reference state and a given neighbour list, so exact and approximate
/// neighbours can be compared through the very arithmetic the product uses. Approximate neighbours get canonical
/// distances (as the scoring path would refine them) so only the choice of neighbours differs.
/// </summary>
internal sealed class Scorer(DensityModel<float> model, int[] slotOfRow, float[] queries, int dim, int k, int[] labels)
{
    /// <summary>AUROC of DAO and LOF with exact neighbours: the baseline the differences are taken against.</summary>
    public (double Dao, double Lof) ExactAuroc(KnnResult truth)
    {
        var dao = new double[truth.Queries];
        var lof = new double[truth.Queries];
        for (int q = 0; q < truth.Queries; q++)
        {
            OutlierScores t = Score(q, truth.IdsOf(q));
            (dao[q], lof[q]) = (t.Dao, t.Lof);
        }

        return (DetectionMetrics.Auroc(dao, labels), DetectionMetrics.Auroc(lof, labels));
    }

    /// <summary>
    /// Median and 95th-percentile relative DAO and LOF differences (DAO is a power of a distance ratio, so one missed
    /// neighbour of an outlier can change it by orders of magnitude: a mean would only report that outlier), AUROC(found) − AUROC(truth) for each, and how many queries the index
    /// answered with fewer than k neighbours (IVF when the probed lists hold too few): those are scored with the exact
    /// neighbours, as a product would fall back to exact search for them.
    /// </summary>
    public (double[] RelDao, double[] RelLof, double AucDao, double AucLof, int Short) Compare(KnnResult truth, KnnResult found)
    {
        int n = truth.Queries;
        int shortRows = 0;
        double[] daoT = new double[n], daoF = new double[n], lofT = new double[n], lofF = new double[n];
        double[] relDao = new double[n], relLof = new double[n];
        for (int q = 0; q < n; q++)
        {
            OutlierScores t = Score(q, truth.IdsOf(q));
            bool isShort = found.IdsOf(q).Contains(-1L);
            shortRows += isShort ? 1 : 0;
            OutlierScores f = isShort ? t : Score(q, found.IdsOf(q));
            (daoT[q], daoF[q], lofT[q], lofF[q]) = (t.Dao, f.Dao, t.Lof, f.Lof);
            relDao[q] = Math.Abs(f.Dao - t.Dao) / Math.Abs(t.Dao);
            relLof[q] = Math.Abs(f.Lof - t.Lof) / Math.Abs(t.Lof);
        }

        Array.Sort(relDao);
        Array.Sort(relLof);
        return (relDao, relLof,
            DetectionMetrics.Auroc(daoF, labels) - DetectionMetrics.Auroc(daoT, labels),
            DetectionMetrics.Auroc(lofF, labels) - DetectionMetrics.Auroc(lofT, labels), shortRows);
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
