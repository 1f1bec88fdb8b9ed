namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// checkpoint/state.json: which epoch the checkpoint files beside it hold, and everything a resumed run needs to
/// continue as if it had not stopped (the optimiser's step count, the history so far, the options it belongs to).
/// The shuffle of each epoch is a function of the seed and epoch number, so no generator state is needed.
/// </summary>
public sealed record TrainState(TrainIdentity Identity, int CompletedEpochs, int StepsTaken, int Pairs, IReadOnlyList<EpochSummary> History);
