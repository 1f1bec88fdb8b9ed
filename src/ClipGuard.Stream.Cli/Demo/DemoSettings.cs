namespace ClipGuard.Stream.Cli.Demo;

/// <summary>What `clipguard demo` was asked to do.</summary>
/// <param name="ModelDirectory">A model folder (weights + OpenCLIP config JSON) to use instead of the demo's own CLIP.</param>
/// <param name="CacheDirectory">Where the demo's own CLIP is trained on the first run and found afterwards.</param>
/// <param name="Exit">Exit after the report instead of keeping the console open.</param>
/// <param name="Port">The console's port; 0 for any free one.</param>
/// <param name="Token">The console's API token; null for a random one.</param>
/// <param name="InMemoryLedger">Do not start redis-server even when it is installed.</param>
/// <param name="Detector">The service's detector: kdist, lof, slof or dao.</param>
internal sealed record DemoSettings(
    int Samples,
    double PoisonRate,
    int Seed,
    string? ModelDirectory,
    string CacheDirectory,
    string DataDirectory,
    bool Exit,
    int Port,
    string? Token,
    bool InMemoryLedger,
    string Detector)
{
    public const int MinSamples = 200;
    public const int MaxSamples = 10_000;
    public const double MaxPoisonRate = 0.2;
    public const string DefaultCacheDirectory = ".cache/demo";

    /// <summary>Trusted clean pairs the service embeds as its seed reference, all of them kept as calibration (the
    /// default pool holds 25,000). The service runs at its default operating point, whose 0.01 % budget over two
    /// signals needs 19,999 calibration scores: 20,000 reach it from the first sample, so pairs a campaign has not
    /// (yet) claimed are still judged by the budget (docs/demo.md).</summary>
    public const int SeedSize = 20_000;

    /// <summary>The planted poisons: round(samples × rate), at least one.</summary>
    public int Poisons => Math.Max(1, (int)Math.Round(Samples * PoisonRate));

    /// <summary>Null when usable, otherwise what is wrong.</summary>
    public string? Error() =>
        Samples is < MinSamples or > MaxSamples ? $"--samples must be within {MinSamples}..{MaxSamples}"
        : !(PoisonRate > 0 && PoisonRate <= MaxPoisonRate) ? $"--poison-rate must be in (0, {MaxPoisonRate}]"
        : Port is < 0 or > 65535 ? "--port must be within 0..65535"
        : Token is { Length: < Host.Api.OperatorApiOptions.MinTokenLength } ? $"--token must have at least {Host.Api.OperatorApiOptions.MinTokenLength} characters"
        : ModelDirectory is { } m && !Directory.Exists(m) ? $"--model {m}: no such folder (leave --model out to use the demo's own CLIP)"
        : null;
}
