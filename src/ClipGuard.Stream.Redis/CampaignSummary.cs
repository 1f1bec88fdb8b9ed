namespace ClipGuard.Stream.Redis;

/// <summary>One campaign in the ledger: its members counted per status, read atomically with each other.</summary>
/// <param name="Id">The campaign id the stream gave its members (<see cref="QuarantineRecord.Campaign"/>).</param>
/// <param name="LatestAt">When its newest member was quarantined.</param>
public sealed record CampaignSummary(
    string Id,
    DateTimeOffset LatestAt,
    long Quarantined,
    long Releasing,
    long Released,
    long Rejected)
{
    /// <summary>Every member the ledger holds, whatever its status.</summary>
    public long Total => Quarantined + Releasing + Released + Rejected;
}
