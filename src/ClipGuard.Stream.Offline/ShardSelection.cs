using System.Globalization;

namespace ClipGuard.Stream.Offline;

/// <summary>
/// <c>--shard i/n</c>: this process takes the shards whose index is i modulo n (0 ≤ i &lt; n). Round-robin keeps the
/// parts even when shard sizes drift with index.
/// </summary>
public sealed record ShardSelection(int Part, int Parts)
{
    public static readonly ShardSelection All = new(0, 1);

    public bool Includes(int shardIndex) => shardIndex % Parts == Part;

    public bool IsAll => Parts == 1;

    public static ShardSelection Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n)
        {
            return new ShardSelection(i, n);
        }

        throw new OfflineInputException($"--shard '{text}' must be i/n with 0 <= i < n, e.g. 0/4");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Part}/{Parts}");
}
