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
}
