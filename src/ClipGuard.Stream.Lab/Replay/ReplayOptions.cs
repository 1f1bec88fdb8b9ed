using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>How an embedded, labelled dataset is replayed through the stream's scorer.</summary>
public sealed record ReplayOptions
{
    /// <summary>Trusted seed: this many clean samples (by the labels: an operator-vetted set), taken out of the stream.</summary>
    public int SeedSize { get; init; } = 2048;

    /// <summary>Micro-batch size of the replay.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the arrival order (a shuffle of the dataset).</summary>
    public int Seed { get; init; }

    /// <summary>Give the scorer each pair's caption embedding (the agreement signal), when the dataset has them.</summary>
    public bool Captions { get; init; } = true;

    /// <summary>Leave the poisoned samples out of the stream: a clean stream, to see the quarantine rate without poisons.</summary>
    public bool CleanOnly { get; init; }

    /// <summary>
    /// Keep only the first this many poisoned samples of the arrival order (the rest of the poisons are left out, the
    /// clean samples all stay): one embedded set streamed at several poisoning rates. Null: every poison.
    /// </summary>
    public int? Poisons { get; init; }

    /// <summary>Most samples streamed, the first of the arrival order; 0: all of them.</summary>
    public int Limit { get; init; }

    /// <summary>Keep every sample's verdict in <see cref="ReplayResult.Verdicts"/> (memory: one record per sample).</summary>
    public bool KeepVerdicts { get; init; }

    /// <summary>The scorer's options (the service's defaults unless changed).</summary>
    public StreamScorerOptions Scorer { get; init; } = new();

    public void Validate()
    {
        if (SeedSize <= Scorer.Reference.K)
        {
            throw new ArgumentException($"--seed-size ({SeedSize}) must exceed k ({Scorer.Reference.K})");
        }

        if (Limit < 0)
        {
            throw new ArgumentException($"--limit must be 0 (all) or positive (got {Limit})");
        }

        if (Poisons is < 0)
        {
            throw new ArgumentException($"--poisons must be 0 or more (got {Poisons})");
        }

        if (Poisons is not null && CleanOnly)
        {
            throw new ArgumentException("--poisons and --clean-only exclude each other (--clean-only is --poisons 0)");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"--batch must be at least 1 (got {BatchSize})");
        }

        Scorer.Validate();
    }
}
