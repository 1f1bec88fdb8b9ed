using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// The definitions of <c>docs/detection.md</c>, written once and used by every path (from-scratch, incremental,
/// novelty queries), so that the paths can only differ in which neighbours they see, never in arithmetic.
/// </summary>
public static class ScoreMath
{
    /// <summary>
    /// Cap on the LID estimate. The maximum-likelihood LID is infinite when all k neighbour distances are equal (a
    /// lattice, or rounding); capping keeps DAO finite there. Real embeddings give LIDs far below it.
    /// </summary>
    public const double MaxLid = 1000;

    /// <summary>LID(x) = −1 / ((1/k) Σ ln(dᵢ / kd)) over the first k neighbours (sorted ascending).</summary>
    public static double Lid(ReadOnlySpan<Neighbor> neighbors, int k)
    {
        double kd = neighbors[k - 1].Distance;
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            sum += Math.Log(neighbors[i].Distance / kd);
        }

        double mean = sum / k;
        if (mean == 0)
        {
            return MaxLid;
        }

        // A zero distance (only possible for rounding underflow) makes the mean −∞ and the LID its limit, 0.
        return Math.Min(MaxLid, -1.0 / mean);
    }

    /// <summary>lrd(p) = 1 / mean over o ∈ N_k(p) of max(kd(o), d(p, o)).</summary>
    public static double Lrd(ReadOnlySpan<Neighbor> neighbors, int k, ReadOnlySpan<double> kd)
    {
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            Neighbor o = neighbors[i];
            sum += Math.Max(kd[o.Slot], o.Distance);
        }

        return k / sum;
    }

    public static double Lof(ReadOnlySpan<Neighbor> neighbors, int k, double lrdP, ReadOnlySpan<double> lrd)
    {
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            sum += lrd[neighbors[i].Slot];
        }

        return sum / k / lrdP;
    }

    public static double Slof(ReadOnlySpan<Neighbor> neighbors, int k, double kdP, ReadOnlySpan<double> kd)
    {
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            sum += kdP / kd[neighbors[i].Slot];
        }

        return sum / k;
    }

    /// <summary>
    /// DAO(p) = mean over o of (kd(p)/kd(o))^LID(o). When a term overflows, the mean is evaluated in log space and
    /// saturates at <see cref="double.MaxValue"/>: such a sample is an extreme outlier whatever the exact value.
    /// </summary>
    public static double Dao(ReadOnlySpan<Neighbor> neighbors, int k, double kdP, ReadOnlySpan<double> kd, ReadOnlySpan<double> lid)
    {
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            int o = neighbors[i].Slot;
            sum += Math.Pow(kdP / kd[o], lid[o]);
        }

        if (double.IsFinite(sum))
        {
            return sum / k;
        }

        double maxLog = double.NegativeInfinity;
        Span<double> logs = stackalloc double[k];
        for (int i = 0; i < k; i++)
        {
            int o = neighbors[i].Slot;
            logs[i] = lid[o] * Math.Log(kdP / kd[o]);
            maxLog = Math.Max(maxLog, logs[i]);
        }

        double acc = 0;
        foreach (double l in logs)
        {
            acc += Math.Exp(l - maxLog);
        }

        double logMean = maxLog + Math.Log(acc / k);
        return logMean >= Math.Log(double.MaxValue) ? double.MaxValue : Math.Exp(logMean);
    }
}
