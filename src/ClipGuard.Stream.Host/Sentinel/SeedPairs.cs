using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Offline.Reading;
using ClipGuard.Stream.Offline.Sentinel;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// The trusted seed's pairs, kept in the sentinel window as <c>window/seed/</c> (KEY.ext + KEY.txt, never pruned) with
/// a <c>window/seed.jsonl</c> sidecar naming each pair's sample id, so that a swap re-embeds the whole seed as the new
/// reference's trusted calibration, however many of its members re-scores have evicted since (docs/sentinel.md).
/// Sentinels do not train on it unless told to (<c>clipguard sentinel --train-on-seed</c>): split-conformal practice
/// calibrates on pairs the model did not train on, like the stream's later arrivals it judges.
/// </summary>
internal sealed class SeedPairs
{
    public const string FolderName = SentinelLayout.SeedFolderName;
    private readonly string _folder;
    private readonly string _sidecar;

    public SeedPairs(SentinelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _folder = layout.SeedFolder;
        _sidecar = SentinelLayout.SidecarOf(_folder);
    }

    /// <summary>True once a seed was written (a start that restores a snapshot keeps the one it was seeded with).</summary>
    public bool Exists => File.Exists(_sidecar);

    /// <summary>Replaces the stored seed with these pairs.</summary>
    public void Write(IEnumerable<(string Id, byte[] Image, string Caption)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        Directory.CreateDirectory(_folder);
        string temporary = _sidecar + ".tmp";
        using (var lines = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
        {
            foreach ((string id, byte[] image, string caption) in pairs)
            {
                string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..32];
                string file = key + "." + ExtensionOf(image);
                File.WriteAllBytes(Path.Combine(_folder, file), image);
                File.WriteAllText(Path.Combine(_folder, key + ".txt"), caption);
                lines.WriteLine(JsonSerializer.Serialize(new SeedRecord(id, file), SeedJsonContext.Default.SeedRecord));
            }
        }

        File.Move(temporary, _sidecar, overwrite: true);
    }

    /// <summary>The stored seed's sample ids, in the order written.</summary>
    public IReadOnlyList<string> Ids() => [.. Records().Select(r => r.Id)];

    /// <summary>One seed pair's image and caption, or null when it is not stored.</summary>
    public (byte[] Image, string Caption)? Read(string id)
    {
        _files ??= Records().ToDictionary(r => r.Id, r => r.File, StringComparer.Ordinal);
        if (!_files.TryGetValue(id, out string? file))
        {
            return null;
        }

        string image = Path.Combine(_folder, file), caption = Path.ChangeExtension(image, ".txt");
        return File.Exists(image) && File.Exists(caption) ? (File.ReadAllBytes(image), File.ReadAllText(caption)) : null;
    }

    private Dictionary<string, string>? _files;

    private IEnumerable<SeedRecord> Records() =>
        File.Exists(_sidecar)
            ? File.ReadLines(_sidecar).Select(l => JsonSerializer.Deserialize(l, SeedJsonContext.Default.SeedRecord)!).ToList()
            : [];

    internal static string ExtensionOf(ReadOnlySpan<byte> image) => ImageFormatSniffer.Detect(image) switch
    {
        "png" => "png",
        "webp" => "webp",
        _ => "jpg",
    };
}

/// <summary>A line of <c>window/seed.jsonl</c>: a seed pair's sample id and its image file.</summary>
internal sealed record SeedRecord(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("file")] string File);

[System.Text.Json.Serialization.JsonSerializable(typeof(SeedRecord))]
internal sealed partial class SeedJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
