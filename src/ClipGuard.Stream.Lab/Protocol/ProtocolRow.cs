using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// One detector in one space, measured over a whole dataset: the cleaning decision first (precision and recall of
/// removing the top share), then the ranking metrics (TPR at the false-positive budget, PR-AUC, AUROC).
/// </summary>
public sealed record ProtocolRow(
    string Space, string Detector, double Precision, double Recall, double TprAtFpr, double PrAuc, double Auroc, int Positives, int Negatives)
{
    public const string ImageSpace = "image";
    public const string ImageTextSpace = "image+text";

    /// <summary>The pair itself: how far its image is from its own caption.</summary>
    public const string PairSpace = "pair";

    /// <summary>The score 1 − cos(image, own caption): a pair the model does not align is suspicious.</summary>
    public const string Disagreement = "1 − cos(image, caption)";

    /// <summary>The row of <paramref name="detector"/>'s scores against <paramref name="labels"/>.</summary>
    public static ProtocolRow Measure(string space, OutlierDetector detector, OutlierScores[] scores, int[] labels, PaperProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return Measure(space, Evaluation.BatchDetection.Name(detector), [.. scores.Select(s => s.Get(detector))], labels, options);
    }

    /// <summary>The row of any per-sample score (higher = more suspicious) against <paramref name="labels"/>.</summary>
    public static ProtocolRow Measure(string space, string detector, double[] values, int[] labels, PaperProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DetectionReport ranking = DetectionMetrics.Report(values, labels);
        RemovalCounts removal = DetectionMetrics.RemoveTop(values, labels, options.RemoveTopFraction);
        return new ProtocolRow(
            space, detector, removal.Precision, removal.Recall, DetectionMetrics.TprAtFpr(values, labels, options.FprBudget),
            ranking.PrAuc, ranking.Auroc, ranking.Positives, ranking.Negatives);
    }
}
