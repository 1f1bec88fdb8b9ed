using System.Diagnostics;

namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// The dataset-agnostic training loop: for each epoch from <c>firstEpoch</c>, the plan's shuffled batches through
/// <see cref="ContrastiveTrainer.Step"/>, then the probe rows measured and the epoch handed to <c>epochDone</c> (where
/// the caller checkpoints). Cancellation is honoured between steps: an epoch is either complete or not reported.
/// </summary>
public static class ContrastiveEpochs
{
    public static void Run(
        ClipEmbedder embedder,
        ContrastiveTrainer trainer,
        TrainingPairs pairs,
        EpochPlan plan,
        int firstEpoch,
        IReadOnlyList<int> probeRows,
        Action<EpochResult> epochDone,
        IProgress<long>? pairsTrained = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(probeRows);
        ArgumentNullException.ThrowIfNull(epochDone);
        int n = pairs.Count, batch = Math.Min(plan.BatchSize, n), steps = plan.StepsPerEpoch(n);
        long trained = 0;
        for (int epoch = firstEpoch; epoch < plan.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            int[] order = plan.Order(n, epoch);
            double lossSum = 0;
            for (int s = 0; s < steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (pixels, captions, captionOfImage) = pairs.Batch(order.AsSpan(s * batch, batch).ToArray());
                lossSum += trainer.Step(pixels, batch, captions, captionOfImage);
                trained += batch;
                pairsTrained?.Report(trained);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            double[] cosines = AlignmentProbe.OwnCaptionCosines(embedder, pairs, probeRows);
            epochDone(new EpochResult(epoch + 1, trainer.StepsTaken, lossSum / steps, trainer.LogitScale, seconds, steps * batch, cosines));
        }
    }
}
