using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Offline.Sentinel;

/// <summary>What <c>clipguard sentinel</c> was asked to do (docs/sentinel.md); checked by <see cref="Validate"/> before any work.</summary>
public sealed record SentinelSettings(string Directory)
{
    /// <summary>New closed-window pairs since the last round that start the next one.</summary>
    public int Every { get; init; } = 10_000;

    /// <summary>Pairs the closed window must hold before the first round.</summary>
    public int MinimumPairs { get; init; } = 2_000;

    /// <summary>How often the window is looked at.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Train one round now (when the window holds <see cref="MinimumPairs"/>) and exit.</summary>
    public bool Once { get; init; }

    /// <summary>
    /// Train on the trusted seed's pairs too (off by default): the seed calibrates the verdicts of the model a round
    /// makes, mostly on arrivals it never trained on, and split-conformal calibration uses pairs the model did not see.
    /// </summary>
    public bool TrainOnSeed { get; init; }

    public int Epochs { get; init; } = 3;

    public int Batch { get; init; } = TrainSettings.DefaultBatch;

    public SmallClipSpec Model { get; init; } = new();

    public double LearningRate { get; init; } = TrainSettings.DefaultLearningRate;

    public int Seed { get; init; } = 1;

    public int Threads { get; init; } = TrainSettings.DefaultThreads;

    /// <summary>Optional key,poisoned CSV (the lab): poisons' and clean pairs' alignment reported apart per epoch.</summary>
    public string? Labels { get; init; }

    public void Validate()
    {
        var errors = new List<string>();
        if (Every < 1 || MinimumPairs < 2)
        {
            errors.Add($"--every must be at least 1 and --min-pairs at least 2 (got {Every}, {MinimumPairs})");
        }

        if (Poll <= TimeSpan.Zero)
        {
            errors.Add($"--poll must be positive (got {Poll})");
        }

        try
        {
            new TrainSettings(Directory, Directory) { Epochs = Epochs, Batch = Batch, Model = Model, LearningRate = LearningRate, Seed = Seed, Threads = Threads, Labels = Labels }.Validate();
        }
        catch (OfflineInputException e)
        {
            errors.Add(e.Message);
        }

        if (errors.Count > 0)
        {
            throw new OfflineInputException(string.Join("; ", errors));
        }
    }
}
