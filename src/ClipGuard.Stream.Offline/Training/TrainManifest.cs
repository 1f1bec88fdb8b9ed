using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>train.json: what was trained on, how, how fast, and how the loss and the alignment went per epoch.</summary>
public sealed record TrainManifest
{
    public const string FileName = "train.json";

    public required string Input { get; init; }

    public string? Labels { get; init; }

    public required int Epochs { get; init; }

    public required int Batch { get; init; }

    public required SmallClipSpec Model { get; init; }

    public required double LearningRate { get; init; }

    public required double WeightDecay { get; init; }

    public required int Seed { get; init; }

    public required int Threads { get; init; }

    public required int Shards { get; init; }

    public required int Pairs { get; init; }

    public required int DistinctCaptions { get; init; }

    /// <summary>Labelled poisons among the pairs (null without --labels).</summary>
    public int? PoisonedPairs { get; init; }

    public required IReadOnlyDictionary<string, long> Skipped { get; init; }

    public required double DecodeSeconds { get; init; }

    /// <summary>Epochs already done by an earlier run when this one started (0 = trained from scratch).</summary>
    public required int ResumedAfterEpoch { get; init; }

    /// <summary>Training time summed over all epochs (across resumed runs), without decoding or probing.</summary>
    public required double TrainSeconds { get; init; }

    public required double PairsPerSecond { get; init; }

    public required IReadOnlyList<EpochSummary> History { get; init; }

    /// <summary>The model folder (OpenCLIP config + open_clip_model.safetensors) for --model.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>ModelId@Version as the stream's verdicts will name it.</summary>
    public required string ModelVersion { get; init; }
}
