using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>What one decision on a whole campaign came to (<see cref="CampaignDecider"/>).</summary>
/// <param name="Decision"><see cref="QuarantineStatus.Released"/> or <see cref="QuarantineStatus.Rejected"/>.</param>
/// <param name="Applied">Members this call released (copy acknowledged, ledger says released) or rejected.</param>
/// <param name="Skipped">
/// Members that awaited no decision: decided (or being released) when the call began, or decided by another caller
/// first.
/// </param>
/// <param name="Failed">Members whose decision failed; the first <see cref="CampaignDecider.MaxFailuresListed"/> are in <paramref name="Failures"/>.</param>
/// <param name="StoppedBy">Why the call stopped before it reached every member (an outage); null when it reached them all.</param>
public sealed record CampaignDecision(
    string Campaign,
    QuarantineStatus Decision,
    long Applied,
    long Skipped,
    long Failed,
    IReadOnlyList<OperatorResult> Failures,
    string? StoppedBy);
