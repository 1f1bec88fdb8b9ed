namespace ClipGuard.Stream.Redis;

/// <summary>What one call that asked for a status change got; every call is audited with it.</summary>
public enum TransitionOutcome
{
    /// <summary>The reject, release confirmation or release abort took effect.</summary>
    Applied,

    /// <summary>This caller now holds the release claim and must republish, then confirm or abort.</summary>
    Claimed,

    /// <summary>
    /// This caller took over a release claim whose holder let it expire. That holder may already have republished, so
    /// the republish this caller does may be a second copy (same key): see <see cref="IQuarantineLedger"/>.
    /// </summary>
    ReclaimedExpired,

    NotFound,
    AlreadyReleased,
    AlreadyRejected,

    /// <summary>Another caller holds a live release claim.</summary>
    ReleaseInProgress,

    /// <summary>The token is not the current claim: it expired and was taken over, or it was aborted.</summary>
    ClaimLost,
}
