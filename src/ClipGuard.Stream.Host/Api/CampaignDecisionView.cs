using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>What a release or reject of a whole campaign came to; see <see cref="CampaignDecision"/>.</summary>
/// <param name="Failures">The first failed members, each as a single decision reports it.</param>
/// <param name="Stopped">True when an outage stopped the call before it reached every member; <paramref name="Detail"/> says which.</param>
public sealed record CampaignDecisionView(
    string Campaign,
    QuarantineStatus Decision,
    long Applied,
    long Skipped,
    long Failed,
    IReadOnlyList<DecisionView> Failures,
    bool Stopped,
    string Detail)
{
    public static CampaignDecisionView From(CampaignDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new CampaignDecisionView(
            decision.Campaign,
            decision.Decision,
            decision.Applied,
            decision.Skipped,
            decision.Failed,
            [.. decision.Failures.Select(DecisionView.From)],
            decision.StoppedBy is not null,
            decision.StoppedBy is { } why ? $"stopped: {why}; the members not reached stay quarantined, call again to carry on" : string.Empty);
    }
}
