using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>What <c>clipguard train</c> was asked to do; ranges are checked by <see cref="Validate"/> before any work.</summary>
public sealed record TrainSettings(string Input, string Out)
{
    public const int DefaultEpochs = 5;
    public const int DefaultBatch = 256;
    public const double DefaultLearningRate = 1e-3;
    public const int DefaultThreads = 1;

    /// <summary>Optional CSV with columns <c>key,poisoned</c> (0/1): poisons' and clean pairs' alignment reported apart.</summary>
    public string? Labels { get; init; }

    public int Epochs { get; init; } = DefaultEpochs;

    public int Batch { get; init; } = DefaultBatch;

    public SmallClipSpec Model { get; init; } = new();

    public double LearningRate { get; init; } = DefaultLearningRate;

    public double WeightDecay { get; init; } = ContrastiveTrainingOptions.DefaultWeightDecay;

    public int Seed { get; init; } = 1;

    /// <summary>
    /// libtorch intra-op threads (0 = libtorch's default, one per core). Defaults to 1, as the lab: on a shared 2-core
    /// machine OpenMP threads spin at every barrier waiting for a descheduled peer (docs/training.md has the numbers).
    /// </summary>
    public int Threads { get; init; } = DefaultThreads;

    /// <summary>
    /// Also keep the model after every epoch as its own loadable folder, OUT/epochs/epoch-NNNN/ (OpenCLIP config +
    /// safetensors, as OUT/model/), so what the model had learned by each epoch can be measured (e.g. by lab asr).
    /// </summary>
    public bool KeepEpochs { get; init; }

    /// <summary>Parallel image decoders while loading (0 = one per core).</summary>
    public int DecodeWorkers { get; init; }

    /// <summary>Training pairs whose alignment is measured after each epoch (plus every labelled poison, up to as many).</summary>
    public int ProbePairs { get; init; } = 2_000;

    public long MaxMemberBytes { get; init; } = Embedding.EmbedSettings.DefaultMaxMemberBytes;

    /// <summary>What a checkpoint must have been trained with to be resumed by this run (epochs may grow).</summary>
    public TrainIdentity Identity => new(OfflinePaths.Canonical(Input), Batch, Model, LearningRate, WeightDecay, Seed);

    public void Validate()
    {
        var errors = new List<string>();
        if (Epochs < 1 || Batch < 2)
        {
            errors.Add($"--epochs must be at least 1 and --batch at least 2 (got {Epochs}, {Batch})");
        }

        if (Threads < 0 || DecodeWorkers < 0 || ProbePairs < 0 || MaxMemberBytes < 1)
        {
            errors.Add("--threads must be 0 (libtorch's default) or positive");
        }

        if (Labels is not null && !File.Exists(Labels))
        {
            errors.Add($"--labels {Labels}: no such file");
        }

        Model.CollectErrors(LearningRate, WeightDecay, errors);

        if (errors.Count > 0)
        {
            throw new OfflineInputException(string.Join("; ", errors));
        }
    }
}

/// <summary>The options a checkpoint belongs to: input, batch, model, optimiser and seed.</summary>
public sealed record TrainIdentity(string Input, int Batch, SmallClipSpec Model, double LearningRate, double WeightDecay, int Seed);
