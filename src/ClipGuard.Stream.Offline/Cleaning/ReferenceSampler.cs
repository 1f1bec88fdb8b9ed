namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// The paper's random reference: <c>size</c> distinct rows drawn uniformly from all <c>total</c> rows by a partial
/// Fisher-Yates shuffle. System.Random with a seed is the same sequence on every .NET and machine, so every
/// <c>--shard i/n</c> process draws the same reference.
/// </summary>
public static class ReferenceSampler
{
    /// <summary>Sorted global row numbers; all rows when <paramref name="size"/> ≥ <paramref name="total"/>.</summary>
    public static int[] Draw(int total, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        int n = Math.Min(size, total);
        var rows = new int[total];
        for (int i = 0; i < total; i++)
        {
            rows[i] = i;
        }

        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
        {
            int j = rng.Next(i, total);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }

        var chosen = rows.AsSpan(0, n).ToArray();
        Array.Sort(chosen);
        return chosen;
    }
}
