namespace ClipGuard.Stream.Host.Operator;

/// <summary>What an operator's release or reject came to; the CLI maps it to an exit code, the API to an HTTP status.</summary>
public enum OperatorOutcome
{
    /// <summary>The decision took effect (for a release: the copy is on the clean topic and the ledger says released).</summary>
    Applied,

    AlreadyReleased,
    AlreadyRejected,

    /// <summary>Another caller holds a live release claim; it publishes, this call published nothing.</summary>
    InProgress,

    NotFound,

    /// <summary>Redis or Kafka could not be reached; <see cref="OperatorResult.Detail"/> says which and what state was left.</summary>
    Unavailable,
}
