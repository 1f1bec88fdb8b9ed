using System.CommandLine;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>The trigger flags of the lab's verbs (every knob of <see cref="TriggerSpec"/> but its seed).</summary>
internal sealed class TriggerOptions
{
    public TriggerOptions(TriggerSpec defaults)
    {
        Kind = LabCommand.Enum<TriggerKind>("--trigger", "badnets | blend | sig | wanet", defaults.Kind);
        PatchSize = LabCommand.Int("--patch-size", "BadNets patch side in pixels", defaults.PatchSize);
        Position = LabCommand.Enum<PatchPosition>("--position", "BadNets patch position: fixed (bottom-right) | random (per sample)", defaults.Position);
        Pattern = LabCommand.Enum<PatchPattern>("--pattern", "BadNets patch pattern: checkerboard | white | random", defaults.Pattern);
        PatchColor = new Option<Rgb>("--patch-color")
        {
            Description = "BadNets colour of the patch's on cells, RRGGBB hex",
            DefaultValueFactory = _ => defaults.PatchColor,
            CustomParser = r => Parse(r, Rgb.Parse),
        };
        Alpha = Double("--alpha", "Blend weight of the noise pattern", defaults.Alpha);
        SigAmplitude = Double("--sig-amplitude", "SIG stripe amplitude in pixel levels (0-255)", defaults.SigAmplitude);
        SigFrequency = Double("--sig-frequency", "SIG sine periods per image height", defaults.SigFrequency);
        WarpStrength = Double("--warp-strength", "WaNet largest displacement in pixels", defaults.WarpStrength);
        WarpGrid = LabCommand.Int("--warp-grid", "WaNet control points per side of the random displacement grid", defaults.WarpGrid);
    }

    public Option<TriggerKind> Kind { get; }

    public Option<int> PatchSize { get; }

    public Option<PatchPosition> Position { get; }

    public Option<PatchPattern> Pattern { get; }

    public Option<Rgb> PatchColor { get; }

    public Option<double> Alpha { get; }

    public Option<double> SigAmplitude { get; }

    public Option<double> SigFrequency { get; }

    public Option<double> WarpStrength { get; }

    public Option<int> WarpGrid { get; }

    public IEnumerable<Option> All => [Kind, PatchSize, Position, Pattern, PatchColor, Alpha, SigAmplitude, SigFrequency, WarpStrength, WarpGrid];

    public TriggerSpec Spec(ParseResult p, int seed) => new()
    {
        Kind = p.GetValue(Kind),
        PatchSize = p.GetValue(PatchSize),
        Position = p.GetValue(Position),
        Pattern = p.GetValue(Pattern),
        PatchColor = p.GetValue(PatchColor),
        Alpha = p.GetValue(Alpha),
        SigAmplitude = p.GetValue(SigAmplitude),
        SigFrequency = p.GetValue(SigFrequency),
        WarpStrength = p.GetValue(WarpStrength),
        WarpGrid = p.GetValue(WarpGrid),
        Seed = seed,
    };

    private static Option<double> Double(string name, string description, double value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    private static T Parse<T>(System.CommandLine.Parsing.ArgumentResult r, Func<string, T> parse)
        where T : struct
    {
        try
        {
            return parse(r.Tokens[0].Value);
        }
        catch (ArgumentException e)
        {
            r.AddError(e.Message);
            return default;
        }
    }
}
