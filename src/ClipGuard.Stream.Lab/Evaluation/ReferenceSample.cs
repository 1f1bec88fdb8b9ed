namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// Random subsets that keep the poisoned fraction: round(size x poisoned share) poisoned rows (at least one, so the
/// metrics are defined) and the rest clean, each drawn uniformly.
/// </summary>
public static class ReferenceSample
{
    public static int[] Draw(IReadOnlyList<bool> poisoned, int size, Random rng, ISet<int>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(rng);
        int[] positives = [.. Enumerable.Range(0, poisoned.Count).Where(i => poisoned[i] && exclude?.Contains(i) != true)];
        int[] negatives = [.. Enumerable.Range(0, poisoned.Count).Where(i => !poisoned[i] && exclude?.Contains(i) != true)];
        int totalPositives = poisoned.Count(p => p);
        int want = Math.Max(1, (int)Math.Round((double)size * totalPositives / poisoned.Count, MidpointRounding.AwayFromZero));
        if (want > positives.Length || size - want > negatives.Length || size <= want)
        {
            throw new ArgumentException(
                $"cannot draw {size} rows with {want} poisoned from {positives.Length} poisoned and {negatives.Length} clean available rows");
        }

        rng.Shuffle(positives);
        rng.Shuffle(negatives);
        int[] rows = [.. positives[..want], .. negatives[..(size - want)]];
        Array.Sort(rows);
        return rows;
    }
}
