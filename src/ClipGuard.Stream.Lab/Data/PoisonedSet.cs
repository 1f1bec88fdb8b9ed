using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Data;

/// <summary>
/// A training set as the attacker leaves it: the chosen rows carry the trigger and are captioned as the target class;
/// <see cref="Images"/> keeps every image's true label, <see cref="Poisoned"/> the ground truth for detection.
/// </summary>
public sealed class PoisonedSet
{
    private PoisonedSet(ImageSet images, int[] sourceRows, bool[] poisoned, int targetClass)
    {
        Images = images;
        SourceRows = sourceRows;
        Poisoned = poisoned;
        TargetClass = targetClass;
    }

    /// <summary>The pixels as trained on (triggered where poisoned) with the true labels.</summary>
    public ImageSet Images { get; }

    /// <summary>Each row's index in the original split (what per-sample trigger randomness is keyed on).</summary>
    public int[] SourceRows { get; }

    public bool[] Poisoned { get; }

    public int TargetClass { get; }

    public int PoisonedCount => Poisoned.Count(p => p);

    /// <summary>The class whose caption the pair carries: the target for poisoned rows, the true class otherwise.</summary>
    public int CaptionClass(int row) => Poisoned[row] ? TargetClass : Images.Labels[row];

    /// <summary>
    /// Takes the rows <paramref name="sourceRows"/> of <paramref name="split"/>, poisons round(rate x count) of them
    /// (chosen by <paramref name="seed"/>, none of the target class) with <paramref name="trigger"/>.
    /// </summary>
    public static PoisonedSet Build(ImageSet split, int[] sourceRows, TriggerSpec trigger, double rate, int targetClass, int seed)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(sourceRows);
        ArgumentNullException.ThrowIfNull(trigger);
        ImageSet images = split.Subset(sourceRows);
        var poisoned = new bool[images.Count];
        ITrigger stamp = trigger.Create();
        foreach (int row in PoisonPlan.Choose(images.Labels, rate, targetClass, seed))
        {
            poisoned[row] = true;
            stamp.Apply(images.Pixels.AsSpan(row * images.ImageBytes, images.ImageBytes), images.Width, images.Height, sourceRows[row]);
        }

        return new PoisonedSet(images, sourceRows, poisoned, targetClass);
    }

    /// <summary>The rows of a split chosen by a seed (<paramref name="count"/> 0 or ≥ the split: all, in order).</summary>
    public static int[] SubsetRows(int splitCount, int count, int seed)
    {
        if (count <= 0 || count >= splitCount)
        {
            return [.. Enumerable.Range(0, splitCount)];
        }

        int[] all = [.. Enumerable.Range(0, splitCount)];
        new Random(seed).Shuffle(all);
        int[] chosen = all[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
