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
        new Random(HashCode.Combine(Seed, epoch, 0x5eed)).Shuffle(order);
        return order;
    }
}
