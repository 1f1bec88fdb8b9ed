using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The periodic full re-score. Section "ClipGuard:Stream".</summary>
public sealed class RescoreOptions
{
    /// <summary>How often one replica (the holder of the Redis leader lock) runs the full re-score, each wait drawn from ±25 % of it so replicas do not tick in lock-step; zero disables it.</summary>
    public TimeSpan RescoreInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of the newest quarantine records each re-score scores again for release candidates.</summary>
    [Range(0, 100_000)]
    public int RescoreQuarantineSample { get; set; } = 1000;
}
