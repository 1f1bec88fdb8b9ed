namespace ClipGuard.Stream.Core.Scoring;

/// <summary>The maintained per-member quantities whose drift from an exact recomputation is measured.</summary>
public enum DriftQuantity
{
    KDistance,
    Lid,
    Lrd,
    Lof,
    Slof,
    Dao,
}
