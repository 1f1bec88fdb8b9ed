using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>A campaign as operators see it: its members counted per status.</summary>
/// <param name="LatestAt">When its newest member was quarantined.</param>
public sealed record CampaignView(
    string Id, DateTimeOffset LatestAt, long Quarantined, long Releasing, long Released, long Rejected, long Total)
{
    public static CampaignView From(CampaignSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new CampaignView(
            summary.Id, summary.LatestAt, summary.Quarantined, summary.Releasing, summary.Released, summary.Rejected, summary.Total);
    }
}
