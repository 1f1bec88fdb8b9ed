namespace ClipGuard.Stream.Redis;

/// <summary>The audit of refused operator API calls (wrong or missing token, lock-out, rate limit, oversized or bad body).</summary>
public interface IRefusalLog
{
    /// <summary>Appends one refused call; the log is capped at <see cref="RedisOptions.AuditStreamMaxLength"/> entries, oldest dropped first.</summary>
    /// <exception cref="LedgerUnavailableException">The store is unreachable.</exception>
    Task RecordRefusalAsync(RefusedCall call, CancellationToken cancellationToken = default);

    /// <summary>The latest refused calls, newest first.</summary>
    /// <exception cref="LedgerUnavailableException">The store is unreachable.</exception>
    Task<IReadOnlyList<RefusedCall>> RecentRefusalsAsync(int count, CancellationToken cancellationToken = default);
}
