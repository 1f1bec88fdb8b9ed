using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Cli.Sentinel;

/// <summary>What <c>clipguard lab sentinel</c> runs (docs/sentinel.md, "The lab experiment").</summary>
internal sealed record SentinelLabSettings(string Out, string DataDirectory)
{
    public int Scenes { get; init; } = 30_000;

    public int Poisons { get; init; } = 300;

    /// <summary>Where the campaign starts, as a share of the stream.</summary>
    public double PoisonFrom { get; init; } = 0.3;

    public int Seed { get; init; } = 1;

    /// <summary>The BadNets patch side in pixels (the lab's checkerboard, fixed at the bottom right).</summary>
    public int PatchSize { get; init; } = 8;

    /// <summary>After how much of the stream (shares, ascending) a sentinel round trains and is swapped in.</summary>
    public IReadOnlyList<double> Rounds { get; init; } = [0.6, 1.0];

    /// <summary>Clean scenes (a separate draw) the starting model is trained on.</summary>
    public int CleanScenes { get; init; } = 9_000;

    public int SeedSize { get; init; } = 2_048;

    public int Epochs { get; init; } = 3;

    /// <summary>Sentinel rounds train on the trusted seed too (<c>clipguard sentinel --train-on-seed</c>; off by default).</summary>
    public bool TrainOnSeed { get; init; }

    /// <summary>The service's <c>ClipGuard:Sentinel:FitSeedShare</c>: the seed's share every sentinel trains on and judges the window against (0: none).</summary>
    public double FitSeedShare { get; init; } = 0.5;

    /// <summary>The service's <c>--budget-confidence</c> (NaN: the service default, the marginal rule).</summary>
    public double BudgetConfidence { get; init; } = double.NaN;

    /// <summary>
    /// Which samples each swap judges (<c>ClipGuard:Sentinel:Rejudge</c>). The lab runs <c>EveryRound</c> by default and
    /// also counts what <c>Once</c> would have recalled (exact for the budget rule, an estimate for campaigns); <c>Once</c>
    /// runs the service's default as it is, so both are exact from two runs of the same (kept) rounds.
    /// </summary>
    public ClipGuard.Stream.Host.Settings.RejudgePolicy Rejudge { get; init; } = ClipGuard.Stream.Host.Settings.RejudgePolicy.EveryRound;

    /// <summary>The service's calibration pool size (null: the service default).</summary>
    public int? CalibrationPool { get; init; }

    public SmallClipSpec Model { get; init; } = new() { TextWidth = 64 };

    /// <summary>Pairs published at a time (the dev broker keeps ~5 MB per partition; each chunk is routed before the next).</summary>
    public int Chunk { get; init; } = 1_500;

    public int Threads { get; init; }

    /// <summary>
    /// Rounds are kept under <c>OUT/round-cache/</c>, keyed by everything that decides their training data and recipe,
    /// and a later run with the same key publishes the kept checkpoint instead of training it again (to re-measure the
    /// service's side, e.g. a change in the judgement, without an hour of training). Off: every round trains.
    /// </summary>
    public bool ReuseRounds { get; init; }

    /// <summary>The cache key of round <paramref name="round"/>: every setting that decides its window and its recipe.</summary>
    public string RoundKey(int round)
    {
        string key = string.Join(
            '|',
            Seed, Scenes, Poisons, PoisonFrom.ToString("R", System.Globalization.CultureInfo.InvariantCulture), PatchSize, SeedSize, CleanScenes,
            FitSeedShare.ToString("R", System.Globalization.CultureInfo.InvariantCulture), TrainOnSeed, Epochs,
            string.Join(',', Rounds.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            string.Join(' ', SentinelLabRunner.ModelArgs(Model)), round);
        return $"r{round}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..12]}";
    }

    public string? Error()
    {
        if (Scenes < 1000 || Poisons < 1 || Poisons >= Scenes)
        {
            return $"--scenes must be at least 1000 and --poisons between 1 and --scenes (got {Scenes}, {Poisons})";
        }

        if (PoisonFrom is < 0 or >= 1 || Rounds.Count == 0 || Rounds.Any(r => r is <= 0 or > 1) || !Rounds.SequenceEqual(Rounds.Order()))
        {
            return "--poison-from must be in [0, 1) and --rounds ascending shares in (0, 1]";
        }

        if (BudgetConfidence is <= 0 or >= 1 || CalibrationPool < 1)
        {
            return "--budget-confidence must be in (0, 1) and --calibration-pool at least 1";
        }

        if (FitSeedShare is < 0 or > 0.9)
        {
            return $"--fit-seed-share must be between 0 and 0.9 (got {FitSeedShare})";
        }

        if (PatchSize is < 1 or > 64)
        {
            return $"--patch-size must be between 1 and 64 pixels (got {PatchSize})";
        }

        return CleanScenes < 100 || SeedSize < 100 || Epochs < 1 || Chunk < 100 || Threads < 0
            ? "--clean-scenes, --seed-size and --chunk must be at least 100, --epochs at least 1, --threads not negative"
            : null;
    }
}
