using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary><c>scenes.json</c>: every option of the run (to rebuild it byte for byte) and what came out.</summary>
public sealed record SceneManifest
{
    public const string FileName = "scenes.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public required SceneOptions Options { get; init; }

    public required string Target { get; init; }

    public required string Trigger { get; init; }

    public required int Scenes { get; init; }

    public required int Poisons { get; init; }

    /// <summary>Clean scenes that show the target class.</summary>
    public required int ScenesWithTarget { get; init; }

    public required int DistinctCaptions { get; init; }

    public required IReadOnlyList<string> Shards { get; init; }

    public void Write(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));

    public static SceneManifest Read(string directory) =>
        JsonSerializer.Deserialize<SceneManifest>(File.ReadAllText(Path.Combine(directory, FileName)), Json)
        ?? throw new InvalidDataException($"{Path.Combine(directory, FileName)}: empty manifest");
}
