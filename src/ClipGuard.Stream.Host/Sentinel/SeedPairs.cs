using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Offline.Reading;
using ClipGuard.Stream.Offline.Sentinel;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// The trusted seed's pairs, kept in the sentinel window (KEY.ext + KEY.txt, never pruned) with a sidecar naming each
/// pair's sample id, so that a swap re-embeds the whole seed, however many of its members re-scores have evicted since
/// (docs/sentinel.md). The seed is split in two halves by a hash of the sample id: <c>window/seed/</c> calibrates the
/// new model's verdicts on the stream's later arrivals, pairs it never trained on, so sentinels do not train on it
/// unless told to (<c>clipguard sentinel --train-on-seed</c>; split-conformal practice); <c>window/seed-fit/</c>
/// (a <see cref="SentinelOptions.FitSeedShare"/> of the seed, none when 0) is trained on by every sentinel and
/// calibrates its judgement of the window, which it trained on too: like is judged against like.
/// </summary>
internal sealed class SeedPairs
{
    public const string FolderName = SentinelLayout.SeedFolderName;
    private readonly string _folder;
    private readonly string _sidecar;
    private readonly string _fitFolder;
    private readonly string _fitSidecar;

    public SeedPairs(SentinelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _folder = layout.SeedFolder;
        _sidecar = SentinelLayout.SidecarOf(_folder);
        _fitFolder = layout.SeedFitFolder;
        _fitSidecar = SentinelLayout.SidecarOf(_fitFolder);
    }

    /// <summary>True once a seed was written (a start that restores a snapshot keeps the one it was seeded with).</summary>
    public bool Exists => File.Exists(_sidecar);

    /// <summary>Replaces the stored seed with these pairs, a <paramref name="fitShare"/> of them (by a hash of the id) as the fitting half.</summary>
    public void Write(IEnumerable<(string Id, byte[] Image, string Caption)> pairs, double fitShare = 0)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(fitShare, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fitShare, 1);
        foreach (string folder in new[] { _folder, _fitFolder })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
        }

        using (var lines = new StreamWriter(_sidecar + ".tmp", append: false, new UTF8Encoding(false)))
        using (var fitLines = new StreamWriter(_fitSidecar + ".tmp", append: false, new UTF8Encoding(false)))
        {
            foreach ((string id, byte[] image, string caption) in pairs)
            {
                byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(id));
                string key = Convert.ToHexStringLower(hash)[..32];
                bool fit = BitConverter.ToUInt32(hash, 16) < fitShare * 4294967296.0;
                string file = key + "." + ExtensionOf(image), folder = fit ? _fitFolder : _folder;
                File.WriteAllBytes(Path.Combine(folder, file), image);
                File.WriteAllText(Path.Combine(folder, key + ".txt"), caption);
                (fit ? fitLines : lines).WriteLine(JsonSerializer.Serialize(new SeedRecord(id, file), SeedJsonContext.Default.SeedRecord));
            }
        }

        // The calibrating half's sidecar last: Exists means both halves are complete. No fitting half, no folder (the
        // trainer would read an empty shard).
        File.Move(_fitSidecar + ".tmp", _fitSidecar, overwrite: true);
        if (!Directory.EnumerateFileSystemEntries(_fitFolder).Any())
        {
            Directory.Delete(_fitFolder);
            File.Delete(_fitSidecar);
        }

        File.Move(_sidecar + ".tmp", _sidecar, overwrite: true);
        _files = null;
    }

    /// <summary>The stored seed's sample ids, both halves: the calibrating half first, each in the order written.</summary>
    public IReadOnlyList<string> Ids() => [.. Records(_sidecar).Concat(Records(_fitSidecar)).Select(r => r.Id)];

    /// <summary>The ids of the half sentinels do not train on (the arrivals' calibration).</summary>
    public IReadOnlyList<string> CalibratingIds() => [.. Records(_sidecar).Select(r => r.Id)];

    /// <summary>The ids of the half every sentinel trains on (the calibration of its judgement of the window); empty without one.</summary>
    public IReadOnlyList<string> FittingIds() => [.. Records(_fitSidecar).Select(r => r.Id)];

    /// <summary>One seed pair's image and caption, or null when it is not stored.</summary>
    public (byte[] Image, string Caption)? Read(string id)
    {
        _files ??= Records(_sidecar).Select(r => (r.Id, Path.Combine(_folder, r.File)))
            .Concat(Records(_fitSidecar).Select(r => (r.Id, Path.Combine(_fitFolder, r.File))))
            .ToDictionary(r => r.Id, r => r.Item2, StringComparer.Ordinal);
        if (!_files.TryGetValue(id, out string? image))
        {
            return null;
        }

        string caption = Path.ChangeExtension(image, ".txt");
        return File.Exists(image) && File.Exists(caption) ? (File.ReadAllBytes(image), File.ReadAllText(caption)) : null;
    }

    private Dictionary<string, string>? _files;

    private static List<SeedRecord> Records(string sidecar) =>
        File.Exists(sidecar)
            ? [.. File.ReadLines(sidecar).Select(l => JsonSerializer.Deserialize(l, SeedJsonContext.Default.SeedRecord)!)]
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
