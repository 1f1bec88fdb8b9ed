using ClipGuard.Stream.Host.Tests.Stages;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>
/// A ledger whose first <see cref="FailingConfirms"/> confirms land but lose their answer (a timeout after the write),
/// the outage case the ledger tells callers to retry; everything else goes straight to the real ledger inside.
/// </summary>
internal sealed class LostAnswerLedger(IQuarantineLedger inner, int failingConfirms) : DelegatingLedger(inner)
{
    private int _confirms;

    public int FailingConfirms { get; } = failingConfirms;

    public int ConfirmCalls => Volatile.Read(ref _confirms);

    public override async Task<TransitionResult> ConfirmReleaseAsync(string id, string claimToken, string actor, CancellationToken cancellationToken = default)
    {
        var result = await Inner.ConfirmReleaseAsync(id, claimToken, actor, cancellationToken);
        if (Interlocked.Increment(ref _confirms) <= FailingConfirms)
        {
            throw new LedgerUnavailableException("answer lost", new TimeoutException("simulated timeout after the write"));
        }

        return result;
    }
}
