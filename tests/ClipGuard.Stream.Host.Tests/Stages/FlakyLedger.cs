using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>A ledger whose first <paramref name="failingWrites"/> record calls fail as an unreachable Redis does; everything else goes to the ledger inside.</summary>
internal sealed class FlakyLedger(IQuarantineLedger inner, int failingWrites) : DelegatingLedger(inner)
{
    public int RecordCalls { get; private set; }

    public override Task<int> RecordAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default)
    {
        if (++RecordCalls <= failingWrites)
        {
            throw new LedgerUnavailableException("simulated outage", new TimeoutException("redis down"));
        }

        return Inner.RecordAsync(records, cancellationToken);
    }
}
