using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Offline.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Sentinel;

/// <summary>
/// One sentinel round: trains a small CLIP from scratch on the closed window with the <c>clipguard train</c> engine and
/// publishes it as the next <c>models/vNNNNNN/</c>. The folder appears whole (it is written under a temporary name,
/// its manifest last, then renamed), so a service watching <c>models/</c> never loads half a checkpoint. The caller
/// holds <see cref="SentinelLock"/>: two trainers would publish the same version. The trusted seed's folder is left out
/// of training unless <see cref="SentinelSettings.TrainOnSeed"/>: it calibrates the new model's verdicts.
/// </summary>
public static class SentinelRound
{
    public static SentinelModel Run(SentinelSettings settings, TrainObserver? observer = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        logger ??= NullLogger.Instance;
        var layout = new SentinelLayout(settings.Directory);
        layout.Create();
        IReadOnlyList<string> segments = layout.TrainingSegments(settings.TrainOnSeed);
        int pairs = segments.Sum(s => Directory.EnumerateFiles(s, "*.txt").Count());
        if (pairs < settings.MinimumPairs)
        {
            throw new OfflineInputException($"{layout.Window}: {pairs} pairs in {segments.Count} closed segments, a round needs at least {settings.MinimumPairs}");
        }

        int version = NextVersion(layout);
        string round = Path.Combine(layout.Rounds, $"r{version:D6}");
        if (Directory.Exists(round))
        {
            Directory.Delete(round, recursive: true);   // an earlier try of this version that did not publish
        }

        // The round trains on the segments closed now, linked rather than copied; the service only ever deletes whole
        // segments (the oldest, past the window bound), and the training set is decoded into memory first.
        string input = Directory.CreateDirectory(Path.Combine(round, "input")).FullName;
        foreach (string segment in segments)
        {
            Directory.CreateSymbolicLink(Path.Combine(input, Path.GetFileName(segment)), segment);
        }

        DateTimeOffset started = DateTimeOffset.UtcNow;
        Log.SentinelRoundStarting(logger, version, pairs, segments.Count);
        TrainManifest trained = TrainEngine.Run(
            new TrainSettings(input, Path.Combine(round, "train"))
            {
                Epochs = settings.Epochs,
                Batch = settings.Batch,
                Model = settings.Model,
                LearningRate = settings.LearningRate,
                Seed = settings.Seed + version,
                Threads = settings.Threads,
                Labels = settings.Labels,
            },
            observer,
            logger,
            cancellationToken);
        Directory.Delete(input, recursive: true);

        string temporary = Path.Combine(layout.Models, $"v{version:D6}.tmp-{Environment.ProcessId}");
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        Directory.CreateDirectory(temporary);
        foreach (string file in Directory.EnumerateFiles(trained.ModelDirectory))
        {
            File.Copy(file, Path.Combine(temporary, Path.GetFileName(file)));
        }

        var manifest = new SentinelModelManifest
        {
            Version = version,
            WeightsSha256 = SentinelLayout.Sha256(Path.Combine(temporary, TrainEngine.WeightsFile)),
            ModelVersion = trained.ModelVersion,
            TrainedAt = DateTimeOffset.UtcNow,
            WindowPairs = trained.Pairs,
            Segments = segments.Count,
            LastSegment = Path.GetFileName(segments[^1]),
            Epochs = settings.Epochs,
            TrainSeconds = trained.TrainSeconds,
            DecodeSeconds = trained.DecodeSeconds,
            FinalLoss = trained.History.Count > 0 ? trained.History[^1].Loss : null,
        };
        OfflineJson.Write(Path.Combine(temporary, SentinelModelManifest.FileName), manifest);
        Directory.Move(temporary, layout.FolderOf(version));
        Log.SentinelPublished(logger, version, manifest.ModelVersion, trained.Pairs, (DateTimeOffset.UtcNow - started).TotalSeconds);
        return new SentinelModel(version, layout.FolderOf(version), manifest);
    }

    /// <summary>One past the highest version folder, complete or not (a half-published one is never reused).</summary>
    private static int NextVersion(SentinelLayout layout) =>
        1 + Directory.EnumerateDirectories(layout.Models, "v*")
            .Select(d => Path.GetFileName(d))
            .Select(n => n.Length >= 7 && int.TryParse(n.AsSpan(1, 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : 0)
            .DefaultIfEmpty(0)
            .Max();
}

/// <summary>
/// The trainer's exclusive lock on the sentinel directory (an OS file lock on <c>models/.lock</c>): several
/// <c>clipguard sentinel</c> processes (one per replica's node) may run, and only the holder trains; the others wait.
/// Released when disposed or when the process dies.
/// </summary>
public sealed class SentinelLock : IDisposable
{
    private readonly FileStream _file;

    private SentinelLock(FileStream file) => _file = file;

    public static SentinelLock? TryAcquire(SentinelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory.CreateDirectory(layout.Models);
        try
        {
            return new SentinelLock(new FileStream(Path.Combine(layout.Models, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
