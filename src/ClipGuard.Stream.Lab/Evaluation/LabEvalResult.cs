using System.Text.Json;
using System.Text.Json.Serialization;
using ClipGuard.Stream.Lab.Training;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Everything <c>lab eval</c> measured for one run (<c>detection.json</c> in the run directory).</summary>
public sealed record LabEvalResult
{
    public const string FileName = "detection.json";
    public const string PlotFile = "roc.png";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public required LabRunManifest Run { get; init; }

    public required List<DetectionRow> Rows { get; init; }

    public StreamResult? Stream { get; init; }

    public required double EmbedImagesPerSecond { get; init; }

    /// <summary>The command line that produced this result, for the report.</summary>
    public string? CommandLine { get; init; }

    public void Write(string runDirectory) => File.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(this, Json));

    public static LabEvalResult Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found: run `clipguard lab eval --run {runDirectory}` first");
        }

        try
        {
            return JsonSerializer.Deserialize<LabEvalResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a lab evaluation ({e.Message})", e);
        }
    }
}
