namespace ClipGuard.Stream.Offline.Training;

/// <summary>What a caller of <see cref="TrainEngine"/> may watch: decoding and training progress, and each epoch.</summary>
public sealed record TrainObserver
{
    public IProgress<RunProgress>? Decode { get; init; }

    /// <summary>Done/Total count pairs of this run's remaining epochs; Samples the pairs trained so far.</summary>
    public IProgress<RunProgress>? Train { get; init; }

    public Action<EpochSummary>? Epoch { get; init; }

    /// <summary>One-line notes for the user (resumed from a checkpoint, pairs decoded).</summary>
    public Action<string>? Info { get; init; }
}
