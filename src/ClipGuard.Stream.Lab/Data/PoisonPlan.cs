namespace ClipGuard.Stream.Lab.Data;

/// <summary>Which training pairs an attacker poisons: round(rate x N) images drawn among those not already of the target class.</summary>
public static class PoisonPlan
{
    /// <summary>Sorted row numbers of the poisoned images of <paramref name="labels"/>.</summary>
    public static int[] Choose(IReadOnlyList<byte> labels, double rate, int targetClass, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(rate is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "poisoning rate must be in [0, 1)");
        }

        int count = (int)Math.Round(rate * labels.Count, MidpointRounding.AwayFromZero);
        int[] candidates = [.. Enumerable.Range(0, labels.Count).Where(i => labels[i] != targetClass)];
        if (count > candidates.Length)
        {
            throw new ArgumentException($"rate {rate} asks for {count} poisoned images but only {candidates.Length} are not of the target class");
        }

        new Random(seed).Shuffle(candidates);
        int[] chosen = candidates[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
