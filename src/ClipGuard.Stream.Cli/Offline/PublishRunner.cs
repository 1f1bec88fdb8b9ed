using System.Globalization;
using ClipGuard.Stream.Kafka.Publishing;
using ClipGuard.Stream.Offline.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Runs <c>clipguard publish --input</c> and prints its progress and one summary line on stderr.</summary>
internal static class PublishRunner
{
    public static int Run(PairPublishSettings settings, PublisherOptions options, TextWriter stderr) => OfflineExit.Guard("publish", stderr, () =>
    {
        using var loggers = CliLogging.Create(LogLevel.Warning);
        using var cancel = new ConsoleCancellation();
        var progress = RateProgress.ForConsole("publish");
        try
        {
            var report = PairPublishEngine.RunAsync(settings, options, progress, loggers.CreateLogger("clipguard.publish"), cancel.Token).GetAwaiter().GetResult();
            progress.Finish();
            stderr.WriteLine(Describe(report, options.Topic));
            if (report.Failed > 0)
            {
                stderr.WriteLine($"clipguard publish: {report.Failed} message(s) failed, first: {report.FirstError}");
                return OfflineExit.Failed;
            }

            return OfflineExit.Ok;
        }
        catch (OptionsValidationException e)
        {
            progress.Finish();
            stderr.WriteLine($"clipguard publish: {string.Join("; ", e.Failures)}");
            return OfflineExit.BadInput;
        }
        catch (BrokerUnavailableException e)
        {
            progress.Finish();
            stderr.WriteLine($"clipguard publish: broker unavailable: {e.Message}");
            return OfflineExit.Unavailable;
        }
    });

    /// <summary>"publish: 9998 pairs acknowledged on clipguard.pairs from 2 shards in 3.1 s (3225 pairs/s); skipped: image_corrupt 1, missing_caption 1".</summary>
    internal static string Describe(PairPublishReport r, string topic)
    {
        string skipped = r.Skipped.Count == 0 ? "none" : string.Join(", ", r.Skipped.Select(kv => $"{kv.Key} {kv.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"publish: {r.Published} pairs acknowledged on {topic} from {r.Shards} shards in {r.Wall.TotalSeconds:F2} s ({r.PairsPerSecond:F0} pairs/s); skipped: {skipped}");
    }
}
