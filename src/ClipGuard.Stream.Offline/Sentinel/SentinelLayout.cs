using System.Globalization;
using System.Security.Cryptography;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Offline.Sentinel;

/// <summary>
/// The sentinel directory shared by the stream service and <c>clipguard sentinel</c> (docs/sentinel.md):
/// <c>open/</c> the window segments being written (one per replica), <c>window/</c> the closed segments (a folder of
/// KEY.jpg + KEY.txt pairs each, which <c>clipguard train</c> reads as is, plus a SEGMENT.jsonl sidecar per segment),
/// <c>models/vNNNNNN/</c> the sentinel checkpoints, each complete once its <see cref="SentinelModelManifest.FileName"/>
/// is there, and <c>rounds/</c> the training rounds' working folders.
/// </summary>
public sealed class SentinelLayout
{
    /// <summary>The folder of <c>window/</c> that holds the trusted seed's pairs (written by the service, never pruned).</summary>
    public const string SeedFolderName = "seed";

    /// <summary>
    /// The folder of <c>window/</c> that holds the trusted seed's fitting half: pairs every sentinel trains on, so that
    /// its judgement of the window it trained on compares like with like (docs/sentinel.md, "Judging what the sentinel
    /// trained on"). Written by the service, never pruned.
    /// </summary>
    public const string SeedFitFolderName = "seed-fit";

    private const string VersionPrefix = "v";

    public SentinelLayout(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Window => Path.Combine(Root, "window");

    public string Open => Path.Combine(Root, "open");

    /// <summary>The trusted seed's pairs inside the window (<see cref="SeedFolderName"/>).</summary>
    public string SeedFolder => Path.Combine(Window, SeedFolderName);

    /// <summary>The trusted seed's fitting half inside the window (<see cref="SeedFitFolderName"/>).</summary>
    public string SeedFitFolder => Path.Combine(Window, SeedFitFolderName);

    public string Models => Path.Combine(Root, "models");

    public string Rounds => Path.Combine(Root, "rounds");

    /// <summary>Where swaps write their judgements of the window when asked (<c>vNNNNNN-OWNER.jsonl</c>).</summary>
    public string Judgements => Path.Combine(Root, "judgements");

    /// <summary>The judgement file of sentinel <paramref name="version"/> swapped in by <paramref name="owner"/> (a replica's name).</summary>
    public string JudgementsOf(int version, string owner) => Path.Combine(Judgements, string.Create(CultureInfo.InvariantCulture, $"{VersionPrefix}{version:D6}-{owner}.jsonl"));

    /// <summary>The file a segment's per-sample records go to, beside its folder.</summary>
    public static string SidecarOf(string segmentFolder) => Path.TrimEndingDirectorySeparator(segmentFolder) + ".jsonl";

    public void Create()
    {
        Directory.CreateDirectory(Window);
        Directory.CreateDirectory(Open);
        Directory.CreateDirectory(Models);
        Directory.CreateDirectory(Rounds);
    }

    /// <summary>
    /// What a round trains on: the seed's fitting half when the service wrote one, the closed stream segments, and the
    /// seed's calibrating half only when asked. That half calibrates the new model's verdicts on the stream's later
    /// arrivals, pairs it never trained on (docs/sentinel.md, "Training on the calibration", also for what leaving it
    /// out did and did not change); the fitting half calibrates its judgement of the window, pairs it did train on.
    /// Seed folders come first, so the last one is always the newest stream segment.
    /// </summary>
    public IReadOnlyList<string> TrainingSegments(bool includeSeed) =>
    [
        .. Directory.Exists(SeedFitFolder) ? [SeedFitFolder] : Array.Empty<string>(),
        .. includeSeed && Directory.Exists(SeedFolder) ? [SeedFolder] : Array.Empty<string>(),
        .. StreamSegments(),
    ];

    /// <summary>The closed segments the stream wrote, oldest first: every closed folder but the trusted seed's halves.</summary>
    public IReadOnlyList<string> StreamSegments() =>
        [.. ClosedSegments().Where(s => Path.GetFileName(s) is not (SeedFolderName or SeedFitFolderName))];

    /// <summary>Closed window segments, oldest first (names sort by their UTC start time).</summary>
    public IReadOnlyList<string> ClosedSegments() =>
        Directory.Exists(Window) ? [.. Directory.EnumerateDirectories(Window).Order(StringComparer.Ordinal)] : [];

    /// <summary>Complete sentinel checkpoints, oldest first. Folders without a manifest (still being written) are not listed.</summary>
    public IReadOnlyList<SentinelModel> ReadyModels()
    {
        if (!Directory.Exists(Models))
        {
            return [];
        }

        var ready = new List<SentinelModel>();
        foreach (string folder in Directory.EnumerateDirectories(Models, VersionPrefix + "*"))
        {
            string name = Path.GetFileName(folder);
            if (!int.TryParse(name.AsSpan(VersionPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int version)
                || ReadManifest(folder) is not { } manifest)
            {
                continue;
            }

            ready.Add(new SentinelModel(version, folder, manifest));
        }

        return [.. ready.OrderBy(m => m.Version)];
    }

    public SentinelModel? Newest() => ReadyModels().LastOrDefault();

    /// <summary>A folder's manifest; null when it has none or a damaged one (such a folder is never loaded).</summary>
    private static SentinelModelManifest? ReadManifest(string folder)
    {
        try
        {
            return OfflineJson.Read<SentinelModelManifest>(Path.Combine(folder, SentinelModelManifest.FileName));
        }
        catch (OfflineInputException)
        {
            return null;
        }
    }

    /// <summary>Stream pairs in closed segments after <paramref name="lastSegment"/> (all of them when null): what a new round would add. The seed is not news.</summary>
    public int PairsAfter(string? lastSegment) =>
        StreamSegments().Where(s => lastSegment is null || string.CompareOrdinal(Path.GetFileName(s), lastSegment) > 0)
            .Sum(s => Directory.EnumerateFiles(s, "*.txt").Count());

    public string FolderOf(int version) => Path.Combine(Models, VersionPrefix + version.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}

/// <summary>A complete sentinel checkpoint: its version, folder (an open_clip config + weights) and manifest.</summary>
public sealed record SentinelModel(int Version, string Directory, SentinelModelManifest Manifest)
{
    public string WeightsPath => Path.Combine(Directory, TrainEngine.WeightsFile);

    /// <summary>Throws when the weights are not the ones the manifest names (a torn copy, or a file changed since).</summary>
    public void Verify()
    {
        string actual = File.Exists(WeightsPath) ? SentinelLayout.Sha256(WeightsPath) : "missing";
        if (!string.Equals(actual, Manifest.WeightsSha256, StringComparison.Ordinal))
        {
            throw new OfflineInputException($"{Directory}: the weights' SHA-256 is {actual}, the manifest says {Manifest.WeightsSha256}");
        }
    }
}

/// <summary>The READY manifest (JSON) of a sentinel checkpoint, written last: what it was trained on and the weights' hash.</summary>
public sealed record SentinelModelManifest
{
    /// <summary>No .json extension: the folder must hold exactly one JSON (the model config) for <c>ModelSource.FromDirectory</c>.</summary>
    public const string FileName = "READY";

    public required int Version { get; init; }

    public required string WeightsSha256 { get; init; }

    /// <summary>The model label verdicts carry (<c>clipguard-vit@hash</c>).</summary>
    public required string ModelVersion { get; init; }

    public required DateTimeOffset TrainedAt { get; init; }

    public required int WindowPairs { get; init; }

    public required int Segments { get; init; }

    /// <summary>The newest window segment trained on (names sort by start time): pairs in later segments are new to the next round.</summary>
    public required string LastSegment { get; init; }

    public required int Epochs { get; init; }

    public required double TrainSeconds { get; init; }

    public required double DecodeSeconds { get; init; }

    /// <summary>The last epoch's mean loss.</summary>
    public double? FinalLoss { get; init; }
}
