using System.Globalization;
using ClipGuard.Stream.Offline.Embedding;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Runs the embed engine for `clipguard embed` and prints what it did, with the time split decode/forward.</summary>
internal static class EmbedRunner
{
    public static int Run(EmbedSettings settings, string device, TextWriter stdout, TextWriter stderr)
    {
        return OfflineExit.Guard("embed", stderr, () =>
        {
            try
            {
                _ = ClipGuard.Stream.Embedding.ClipEmbedder.DeviceOf(device);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new ClipGuard.Stream.Offline.OfflineInputException($"--device: {e.Message}");
            }

            settings = settings with { Device = device };
            using var loggers = CliLogging.Create(LogLevel.Warning);
            using var cancel = new ConsoleCancellation();
            var progress = RateProgress.ForConsole("embed");
            var report = EmbedEngine.RunAsync(settings, progress, loggers.CreateLogger("clipguard.embed"), cancel.Token).GetAwaiter().GetResult();
            progress.Finish();
            stdout.WriteLine(Describe(report, settings.Out));
            return OfflineExit.Ok;
        });
    }

    internal static string Describe(EmbedReport r, string output)
    {
        var inv = CultureInfo.InvariantCulture;
        string skipped = r.Skipped.Count == 0 ? "none" : string.Join(", ", r.Skipped.Select(kv => $"{kv.Key} {kv.Value}"));
        double wall = Math.Max(r.Wall.TotalSeconds, 1e-9);
        string rates = r.Decoded == 0 ? "" : string.Create(inv,
            $"\nembed: decode {r.Timings.Decode.TotalMilliseconds / r.Decoded:F2} ms per image per worker ({r.Decoded / Math.Max(r.Timings.Decode.TotalSeconds, 1e-9):F1} images/s per worker); " +
            $"image forward {r.Samples / Math.Max(r.Timings.ImageForward.TotalSeconds, 1e-9):F1} images/s; " +
            $"text forward {(r.Timings.TextForward > TimeSpan.Zero ? (r.Samples / r.Timings.TextForward.TotalSeconds).ToString("F1", inv) + " captions/s" : "off")}; " +
            $"overall {r.Decoded / wall:F1} samples/s in {wall:F1} s");
        return string.Create(inv,
            $"embed: {r.ShardsTotal} shards ({r.ShardsEmbedded} embedded now, {r.ShardsAlreadyDone} already done), {r.Samples} samples embedded with {r.ModelId}@{r.ModelVersion} -> {output}; skipped: {skipped}\nembed: weights {r.Weights}") + rates;
    }
}
