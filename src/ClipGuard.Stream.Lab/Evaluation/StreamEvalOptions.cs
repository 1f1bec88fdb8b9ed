using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Streaming mode's knobs: how many images go through the stream, the seed reference, the detector runs.</summary>
public sealed record StreamEvalOptions
{
    /// <summary>Images published (the poisoned fraction kept).</summary>
    public int StreamSize { get; init; } = 5_000;

    /// <summary>Seed reference size, drawn from the rest of the training set (the poisoned fraction kept).</summary>
    public int ReferenceSize { get; init; } = 5_000;

    public IReadOnlyList<OutlierDetector> Detectors { get; init; } = Enum.GetValues<OutlierDetector>();

    public IReadOnlyList<int> Ks { get; init; } = [8, 16, 32];

    /// <summary>How long one service run may take to route every published image.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int Seed { get; init; } = 1;
}
