using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Api;

/// <summary>Operator HTTP API settings, bound from <see cref="SectionName"/> and validated at start.</summary>
public sealed class OperatorApiOptions
{
    public const string SectionName = "ClipGuard:Api";
    public const int MinTokenLength = 16;
    public const string DefaultActor = "api-token";

    /// <summary>The shared bearer token every API call must present; long enough not to be guessed.</summary>
    [Required]
    [MinLength(MinTokenLength)]
    public string Token { get; set; } = string.Empty;

    /// <summary>The identity the token stands for; recorded as the actor of calls that name none in <c>X-ClipGuard-Actor</c>.</summary>
    [Required]
    [MaxLength(Operator.QuarantineReleaser.MaxActorLength)]
    public string Actor { get; set; } = DefaultActor;

    /// <summary>Wrong bearer tokens one client address may present within <see cref="FailedTokenWindow"/> before it is refused (429) until the window moves on.</summary>
    [Range(1, 1_000_000)]
    public int MaxFailedTokens { get; set; } = 10;

    /// <summary>The window wrong tokens are counted in (default one minute).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedTokenWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Release and reject calls one client address may make per minute (a fixed window); more are refused with 429
    /// and Retry-After, so a leaked token or a runaway script cannot empty the quarantine at once.
    /// </summary>
    [Range(1, 1_000_000)]
    public int DecisionsPerMinute { get; set; } = 300;
}
