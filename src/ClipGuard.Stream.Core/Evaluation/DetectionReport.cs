namespace ClipGuard.Stream.Core.Evaluation;

/// <summary>Ranking quality of one detector run: AUROC, PR-AUC (average precision), FPR at 95% TPR, class counts.</summary>
public sealed record DetectionReport(double Auroc, double PrAuc, double FprAt95Tpr, int Positives, int Negatives);
