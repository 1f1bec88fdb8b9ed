namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>One curve for a plot: X then Y (false- and true-positive rate for ROC; recall and precision for precision-recall).</summary>
public sealed record RocSeries(string Label, double[] Fpr, double[] Tpr);
