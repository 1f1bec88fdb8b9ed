namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// How <see cref="ContrastiveEpochs"/> walks a training set: epochs of shuffled batches, the last partial batch
/// dropped. Each epoch's order is a function of the seed and the epoch number alone, so a run resumed at an epoch
/// boundary sees the same batches as one that never stopped.
/// </summary>
public sealed record EpochPlan(int Epochs, int BatchSize, int Seed)
{
    public int StepsPerEpoch(int pairs) => pairs / Math.Min(BatchSize, pairs);

    /// <summary>The pair rows of <paramref name="epoch"/> (0-based) in training order.</summary>
    public int[] Order(int pairs, int epoch)
    {
        int[] order = [.. Enumerable.Range(0, pairs)];
        new Random(EpochSeed(epoch)).Shuffle(order);
        return order;
    }

    /// <summary>
    /// The shuffle's seed for one epoch: SplitMix64's finaliser over the run seed and the epoch. Not System.HashCode,
    /// which is randomised per process: with it a second process (a rerun, or a resumed run) shuffled differently.
    /// </summary>
    internal int EpochSeed(int epoch)
    {
        ulong z = unchecked(((ulong)(uint)Seed * 0x9E3779B97F4A7C15UL) + (uint)epoch + 0x5EEDUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }
}
