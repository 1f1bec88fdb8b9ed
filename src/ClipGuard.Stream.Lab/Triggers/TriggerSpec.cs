using System.Globalization;

namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Every knob of a trigger, as the CLI takes it and the run manifest stores it.</summary>
public sealed record TriggerSpec
{
    public const int DefaultPatchSize = 4;
    public const double DefaultAlpha = 0.2;
    public const double DefaultSigAmplitude = 20;
    public const double DefaultSigFrequency = 6;
    public const double DefaultWarpStrength = 1.5;
    public const int DefaultWarpGrid = 4;

    public TriggerKind Kind { get; init; } = TriggerKind.BadNets;

    public int PatchSize { get; init; } = DefaultPatchSize;

    public PatchPosition Position { get; init; } = PatchPosition.Fixed;

    public PatchPattern Pattern { get; init; } = PatchPattern.Checkerboard;

    /// <summary>The colour of a BadNets patch's "on" cells.</summary>
    public Rgb PatchColor { get; init; } = Rgb.White;

    public double Alpha { get; init; } = DefaultAlpha;

    /// <summary>SIG: the sinusoid's peak, in 8-bit pixel levels.</summary>
    public double SigAmplitude { get; init; } = DefaultSigAmplitude;

    /// <summary>SIG: sine periods over the image's height.</summary>
    public double SigFrequency { get; init; } = DefaultSigFrequency;

    /// <summary>WaNet: the largest displacement, in pixels.</summary>
    public double WarpStrength { get; init; } = DefaultWarpStrength;

    /// <summary>WaNet: control points per side of the random displacement grid.</summary>
    public int WarpGrid { get; init; } = DefaultWarpGrid;

    /// <summary>Seeds the random pattern (BadNets random, Blend, WaNet) and random positions.</summary>
    public int Seed { get; init; } = 1;

    public ITrigger Create() => Kind switch
    {
        TriggerKind.BadNets => new BadNetsTrigger(PatchSize, Position, Pattern, Seed, PatchColor),
        TriggerKind.Blend => new BlendTrigger(Alpha, Seed),
        TriggerKind.Sig => new SigTrigger(SigAmplitude, SigFrequency),
        TriggerKind.WaNet => new WarpTrigger(WarpStrength, WarpGrid, Seed),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>Throws <see cref="ArgumentException"/> (one line, naming the flag) unless the trigger fits a <paramref name="side"/>-pixel image.</summary>
    public void Validate(int side)
    {
        string? problem = Kind switch
        {
            TriggerKind.BadNets when PatchSize < 1 || PatchSize > side => $"--patch-size {PatchSize} must be between 1 and the image side {side}",
            TriggerKind.Blend when !(Alpha is > 0 and <= 1) => $"--alpha {Alpha} must be in (0, 1]",
            TriggerKind.Sig when !(SigAmplitude is > 0 and <= 255) => $"--sig-amplitude {SigAmplitude} must be in (0, 255]",
            TriggerKind.Sig when !(SigFrequency > 0) => $"--sig-frequency {SigFrequency} must be positive",
            TriggerKind.WaNet when !(WarpStrength is > 0 and <= 16) => $"--warp-strength {WarpStrength} must be in (0, 16] pixels",
            TriggerKind.WaNet when WarpGrid < 2 => $"--warp-grid {WarpGrid} must be at least 2",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }
    }

    /// <summary>One line for reports, with only the knobs that matter for the kind.</summary>
    public string Describe() => Kind switch
    {
        TriggerKind.BadNets => string.Create(CultureInfo.InvariantCulture,
            $"BadNets {PatchSize}x{PatchSize} {Pattern.ToString().ToLowerInvariant()} patch{(PatchColor == Rgb.White ? "" : $" in #{PatchColor}")}, {Position.ToString().ToLowerInvariant()} position"),
        TriggerKind.Blend => string.Create(CultureInfo.InvariantCulture, $"Blend alpha {Alpha} with a fixed random pattern (seed {Seed})"),
        TriggerKind.Sig => string.Create(CultureInfo.InvariantCulture, $"SIG horizontal stripes, amplitude {SigAmplitude}, {SigFrequency} periods per image height"),
        _ => string.Create(CultureInfo.InvariantCulture, $"WaNet warp, {WarpGrid}x{WarpGrid} control grid, at most {WarpStrength} px (seed {Seed})"),
    };
}
