using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>
/// What <c>lab train</c> leaves next to the checkpoint (<c>lab-run.json</c>): the options that rebuild the exact
/// poisoned set, and the backdoor's measured strength. <c>lab eval</c> reads it.
/// </summary>
public sealed record LabRunManifest
{
    public const string FileName = "lab-run.json";
    public const string ModelDirectoryName = "model";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public required LabTrainOptions Options { get; init; }

    public required int TrainCount { get; init; }

    public required int PoisonedCount { get; init; }

    public required double CleanAccuracy { get; init; }

    public required double AttackSuccessRate { get; init; }

    /// <summary>Test images of other classes, triggered, on which the ASR was measured.</summary>
    public required int AsrImages { get; init; }

    public required double FinalLoss { get; init; }

    public required double LogitScale { get; init; }

    public required double TrainSeconds { get; init; }

    public required double ImagesPerSecond { get; init; }

    /// <summary>ModelId@Version of the saved checkpoint, as the stream's verdict headers will name it.</summary>
    public required string ModelVersion { get; init; }

    public void Write(string runDirectory) => File.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(this, Json));

    public static LabRunManifest Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found: run `clipguard lab train --out {runDirectory}` first");
        }

        try
        {
            return JsonSerializer.Deserialize<LabRunManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a lab run manifest ({e.Message})", e);
        }
    }
}
