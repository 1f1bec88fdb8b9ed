namespace ClipGuard.Stream.Host.Settings;

/// <summary>The record stage's retries while the quarantine ledger is unreachable, and its route pins. Section "ClipGuard:Stream".</summary>
public sealed class LedgerRetryOptions
{
    /// <summary>How long the consumer waits between ledger retries while Redis is unreachable.</summary>
    public TimeSpan LedgerRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the ledger remembers each sample's route, so a message delivered again (a replica died before its
    /// commit, or a rebalance refused the commit) is routed as it was the first time, even by another replica against
    /// a changed reference. Longer than any redelivery delay (session timeout plus restart); zero turns pinning off.
    /// </summary>
    public TimeSpan RoutePinTtl { get; set; } = TimeSpan.FromMinutes(10);
}
