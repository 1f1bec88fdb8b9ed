namespace ClipGuard.Stream.Host.Settings;

/// <summary>The record stage's retries while the quarantine ledger is unreachable. Section "ClipGuard:Stream".</summary>
public sealed class LedgerRetryOptions
{
    /// <summary>How long the consumer waits between ledger retries while Redis is unreachable.</summary>
    public TimeSpan LedgerRetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}
