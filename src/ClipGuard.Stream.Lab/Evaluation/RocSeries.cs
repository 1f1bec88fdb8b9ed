namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>One ROC curve for the plot.</summary>
public sealed record RocSeries(string Label, double[] Fpr, double[] Tpr);
