namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// Wall time a <see cref="StreamScorer"/> spent in its parts since it was created: the reference's k-NN queries with
/// their density scores, the guard's k-NN queries (admission candidates and held-out samples against the frozen
/// starting reference), admission (hold-back offers and the inserts and evictions they cause), and recalibration.
/// The difference of two readings is one batch's split (metrics: the <c>score.*</c> stages; <c>bench stream</c>).
/// </summary>
public readonly record struct ScorerWork(TimeSpan Query, TimeSpan Admit, TimeSpan Calibrate, TimeSpan Guard = default)
{
    public static ScorerWork operator -(ScorerWork a, ScorerWork b) => new(a.Query - b.Query, a.Admit - b.Admit, a.Calibrate - b.Calibrate, a.Guard - b.Guard);
}
