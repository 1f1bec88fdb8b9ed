namespace ClipGuard.Stream.Redis;

/// <summary>Argument rules both ledgers share, so a call invalid for one is invalid for the other.</summary>
internal static class LedgerArguments
{
    public static void ValidateNew(QuarantineRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.Id, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Value, nameof(record));
        if (record.Status != QuarantineStatus.Quarantined)
        {
            throw new ArgumentException(
                $"Record {record.Id} has status {record.Status}; only Quarantined samples are recorded, the ledger owns later changes.",
                nameof(record));
        }

        if (record.Source is { Length: 0 })
        {
            throw new ArgumentException($"Record {record.Id} has an empty source; use null for none.", nameof(record));
        }

        if (record.Campaign is { Length: 0 })
        {
            throw new ArgumentException($"Record {record.Id} has an empty campaign; use null for none.", nameof(record));
        }

        if (record.NeighbourIds.Count != record.NeighbourDistances.Count)
        {
            throw new ArgumentException(
                $"Record {record.Id} has {record.NeighbourIds.Count} neighbour ids but {record.NeighbourDistances.Count} distances.",
                nameof(record));
        }
    }

    public static void ValidatePage(int offset, int count, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, maxCount);
    }

    public static AuditAction ActionFor(QuarantineStatus to) => to switch
    {
        QuarantineStatus.Released => AuditAction.ReleaseClaim,
        QuarantineStatus.Rejected => AuditAction.Reject,
        _ => throw new ArgumentOutOfRangeException(
            nameof(to), to, "An operator decision moves a sample to Released (via a claim) or Rejected."),
    };
}
