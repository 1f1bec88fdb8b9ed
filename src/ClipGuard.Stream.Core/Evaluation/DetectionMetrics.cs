namespace ClipGuard.Stream.Core.Evaluation;

/// <summary>
/// Ranking metrics of a detector: higher score = more suspicious, label 1 = poisoned (positive).
/// All are O(n log n), treat tied scores as one threshold, and agree with scikit-learn.
/// Every method throws <see cref="ArgumentException"/> for empty input, a length mismatch, a NaN score,
/// a label other than 0/1, or labels without both classes.
/// </summary>
public static class DetectionMetrics
{
    public const double DefaultTpr = 0.95;

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive outscores a random negative, ties counting
    /// half (Mann-Whitney U with midranks); equals sklearn.metrics.roc_auc_score.
    /// </summary>
    public static double Auroc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        ThresholdCounts.Build(scores, labels).Auroc();

    /// <summary>
    /// PR-AUC as average precision: Σ_t (R(t) - R(t_prev)) · P(t) over distinct scores t from the highest down,
    /// with precision and recall of "score ≥ t"; equals sklearn.metrics.average_precision_score.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        ThresholdCounts.Build(scores, labels).AveragePrecision();

    /// <summary>
    /// False-positive rate at the operating point that first catches the fraction <paramref name="tpr"/> of positives.
    /// Flagging "score ≥ t", TPR(t) and FPR(t) are evaluated at every distinct score t; the result is FPR(t*) where t*
    /// is the highest t with TPR(t) ≥ tpr. TPR and FPR only grow as t falls, so this is the lowest FPR of any
    /// threshold that reaches the target TPR. Tied scores are never split. Equals
    /// <c>fpr[np.searchsorted(tpr_curve, tpr)]</c> for <c>fpr, tpr_curve, _ = roc_curve(labels, scores, drop_intermediate=False)</c>.
    /// </summary>
    /// <param name="tpr">Target true-positive rate, in (0, 1].</param>
    public static double FprAtTpr(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double tpr = DefaultTpr)
    {
        CheckTpr(tpr);
        return ThresholdCounts.Build(scores, labels).FprAtTpr(tpr);
    }

    /// <summary>
    /// True-positive rate at a false-positive budget: the highest TPR of any threshold "score ≥ t" whose FPR is at most
    /// <paramref name="fpr"/>, tied scores never split (0 when even the highest score's group exceeds the budget).
    /// </summary>
    /// <param name="fpr">The false-positive budget, in [0, 1].</param>
    public static double TprAtFpr(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double fpr)
    {
        if (!(fpr >= 0 && fpr <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fpr), fpr, "the false-positive budget must be in [0, 1]");
        }

        return ThresholdCounts.Build(scores, labels).TprAtFpr(fpr);
    }

    /// <summary>
    /// The paper's cleaning rule: remove the ⌈fraction · n⌉ highest-scoring samples (ties by position, earlier first)
    /// and count what was removed. Precision is removed positives over removed, recall removed positives over positives.
    /// </summary>
    /// <param name="fraction">The share removed, in (0, 1].</param>
    public static RemovalCounts RemoveTop(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double fraction)
    {
        ThresholdCounts.Build(scores, labels);
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the share removed must be in (0, 1]");
        }

        int removed = (int)Math.Ceiling(fraction * scores.Length);
        int[] order = [.. Enumerable.Range(0, scores.Length)];
        double[] keys = scores.ToArray();
        Array.Sort(order, (a, b) => keys[b] != keys[a] ? keys[b].CompareTo(keys[a]) : a.CompareTo(b));
        int hits = 0, positives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            positives += labels[i];
        }

        for (int i = 0; i < removed; i++)
        {
            hits += labels[order[i]];
        }

        return new RemovalCounts(removed, hits, positives);
    }

    /// <summary>All three metrics at once (one sort), FPR at 95% TPR.</summary>
    public static DetectionReport Report(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        ThresholdCounts counts = ThresholdCounts.Build(scores, labels);
        return new DetectionReport(
            counts.Auroc(), counts.AveragePrecision(), counts.FprAtTpr(DefaultTpr), counts.Positives, counts.Negatives);
    }

    /// <summary>
    /// The ROC curve, one point per distinct score from the highest down, starting at (0, 0) and ending at (1, 1);
    /// the points <c>sklearn.metrics.roc_curve(drop_intermediate=False)</c> returns.
    /// </summary>
    public static (double[] Fpr, double[] Tpr) RocCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        ThresholdCounts counts = ThresholdCounts.Build(scores, labels);
        int n = counts.TruePositives.Length;
        var fpr = new double[n + 1];
        var tpr = new double[n + 1];
        for (int g = 0; g < n; g++)
        {
            fpr[g + 1] = (double)counts.FalsePositives[g] / counts.Negatives;
            tpr[g + 1] = (double)counts.TruePositives[g] / counts.Positives;
        }

        return (fpr, tpr);
    }

    /// <summary>
    /// The precision-recall curve of "score ≥ t", one point per distinct score from the highest down (recall rising),
    /// tied scores never split.
    /// </summary>
    public static (double[] Recall, double[] Precision) PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        ThresholdCounts counts = ThresholdCounts.Build(scores, labels);
        int n = counts.TruePositives.Length;
        var recall = new double[n];
        var precision = new double[n];
        for (int g = 0; g < n; g++)
        {
            recall[g] = (double)counts.TruePositives[g] / counts.Positives;
            precision[g] = (double)counts.TruePositives[g] / (counts.TruePositives[g] + counts.FalsePositives[g]);
        }

        return (recall, precision);
    }

    private static void CheckTpr(double tpr)
    {
        if (!(tpr > 0 && tpr <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tpr), tpr, "target TPR must be in (0, 1]");
        }
    }
}
