using System.Globalization;
using ClipGuard.Stream.Offline.Cleaning;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Runs `clipguard clean` and `clipguard clean-merge` and prints their outcome.</summary>
internal static class CleanRunner
{
    public static int Clean(CleanSettings settings, TextWriter stdout, TextWriter stderr) => OfflineExit.Guard("clean", stderr, () =>
    {
        using var loggers = CliLogging.Create(LogLevel.Warning);
        using var cancel = new ConsoleCancellation();
        var progress = RateProgress.ForConsole("clean");
        var report = CleanEngine.Run(settings, progress, loggers.CreateLogger("clipguard.clean"), cancel.Token);
        progress.Finish();
        double seconds = Math.Max(report.ScoringTime.TotalSeconds, 1e-9);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clean: {report.ShardsScored} shards scored now ({report.RowsScored} samples, {report.RowsScored / seconds:F1} samples/s against |R| = {report.ReferenceCount}), {report.ShardsAlreadyDone} already done"));
        if (report.Summary is { } s)
        {
            stdout.WriteLine(Describe(s, settings.Out));
        }
        else
        {
            stdout.WriteLine($"clean: part {settings.Shard} done; when every part is, run clipguard clean-merge --embeddings {settings.Embeddings} --out {settings.Out}");
        }

        return OfflineExit.Ok;
    });

    public static int Merge(CleanSettings settings, TextWriter stdout, TextWriter stderr) => OfflineExit.Guard("clean-merge", stderr, () =>
    {
        stdout.WriteLine(Describe(CleanMerger.Merge(settings), settings.Out));
        return OfflineExit.Ok;
    });

    private static string Describe(CleanSummary s, string output) => string.Create(CultureInfo.InvariantCulture,
        $"clean: {s.Samples} samples, {s.Config.Detector} k = {s.Config.K}, reference {s.Config.Reference}; removal {s.RemovalRule}: {s.Removed} -> {Path.Combine(output, "remove.txt")}; {s.Bursts.Count} caption bursts; summary {Path.Combine(output, "summary.md")}");
}
