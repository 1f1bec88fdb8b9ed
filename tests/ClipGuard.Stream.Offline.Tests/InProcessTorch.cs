namespace ClipGuard.Stream.Offline.Tests;

/// <summary>
/// Test classes that run libtorch in this process. Its seed and its intra-op thread count are process-global: an
/// embedding run that sets the thread count while a training run is under way changes the training's float sums and so
/// its result (seen in CI: a resumed run's epoch-1 loss 3.554 against 3.601, a lab checkpoint's AUROC 0.747 against
/// 0.865). These classes therefore run one at a time, and alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessTorch
{
    public const string Name = "libtorch in this process";
}
