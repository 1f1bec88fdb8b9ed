namespace ClipGuard.Stream.Redis;

/// <summary>The ledger keeps times as unix milliseconds, so both implementations truncate alike.</summary>
internal static class LedgerTime
{
    public static long ToUnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset Truncate(DateTimeOffset time) => FromUnixMs(ToUnixMs(time));
}
