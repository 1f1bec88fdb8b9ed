namespace ClipGuard.Stream.Redis;

/// <summary>The outcome of a status-change call and the record as it stood right after it, read atomically with it.</summary>
/// <param name="Record">Null only when <see cref="Outcome"/> is <see cref="TransitionOutcome.NotFound"/>.</param>
/// <param name="ClaimToken">Set only with <see cref="TransitionOutcome.Claimed"/> or <see cref="TransitionOutcome.ReclaimedExpired"/>.</param>
public sealed record TransitionResult(
    TransitionOutcome Outcome,
    QuarantineRecord? Record,
    string? ClaimToken = null,
    DateTimeOffset? ClaimExpiresAt = null)
{
    /// <summary>True when this caller must republish the original message now.</summary>
    public bool MustRepublish => Outcome is TransitionOutcome.Claimed or TransitionOutcome.ReclaimedExpired;
}
