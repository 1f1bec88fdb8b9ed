namespace ClipGuard.Stream.Core.Evaluation;

/// <summary>What a removal (or a quarantine route) took: how many samples, how many of them positive, of how many positives.</summary>
public sealed record RemovalCounts(int Removed, int RemovedPositives, int Positives)
{
    /// <summary>Removed positives over removed; NaN when nothing was removed.</summary>
    public double Precision => Removed == 0 ? double.NaN : (double)RemovedPositives / Removed;

    /// <summary>Removed positives over positives; NaN when there are none.</summary>
    public double Recall => Positives == 0 ? double.NaN : (double)RemovedPositives / Positives;

    /// <summary>Harmonic mean of precision and recall; 0 when nothing positive was removed.</summary>
    public double F1 => RemovedPositives == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}
