namespace ClipGuard.Stream.Redis;

/// <summary>
/// The ledger's store cannot be reached or did not answer in time. Whether the call took effect is unknown (a timeout
/// can hide a completed write), so the caller pauses without committing its input and retries the same call later:
/// recording is idempotent by id and every status change is a compare-and-set. Never read this as "no records".
/// </summary>
public sealed class LedgerUnavailableException : Exception
{
    public LedgerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
