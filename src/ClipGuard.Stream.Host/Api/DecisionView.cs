using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>What a release or reject call came to, and the sample's status after it.</summary>
public sealed record DecisionView(string Id, OperatorOutcome Outcome, QuarantineStatus? Status, string Detail)
{
    public static DecisionView From(OperatorResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new DecisionView(result.Id, result.Outcome, result.Status, result.Detail);
    }
}
