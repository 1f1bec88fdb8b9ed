using System.Globalization;

namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Every knob of a trigger, as the CLI takes it and the run manifest stores it.</summary>
public sealed record TriggerSpec
{
    public const int DefaultPatchSize = 4;
    public const double DefaultAlpha = 0.2;

    public TriggerKind Kind { get; init; } = TriggerKind.BadNets;

    public int PatchSize { get; init; } = DefaultPatchSize;

    public PatchPosition Position { get; init; } = PatchPosition.Fixed;

    public PatchPattern Pattern { get; init; } = PatchPattern.Checkerboard;

    public double Alpha { get; init; } = DefaultAlpha;

    /// <summary>Seeds the random pattern (BadNets random, Blend) and random positions.</summary>
    public int Seed { get; init; } = 1;

    public ITrigger Create() => Kind switch
    {
        TriggerKind.BadNets => new BadNetsTrigger(PatchSize, Position, Pattern, Seed),
        TriggerKind.Blend => new BlendTrigger(Alpha, Seed),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>One line for reports, with only the knobs that matter for the kind.</summary>
    public string Describe() => Kind == TriggerKind.BadNets
        ? string.Create(CultureInfo.InvariantCulture, $"BadNets {PatchSize}x{PatchSize} {Pattern.ToString().ToLowerInvariant()} patch, {Position.ToString().ToLowerInvariant()} position")
        : string.Create(CultureInfo.InvariantCulture, $"Blend alpha {Alpha} with a fixed random pattern (seed {Seed})");
}
