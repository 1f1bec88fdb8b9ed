using System.Globalization;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Offline.Training;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>
/// Runs <c>clipguard sentinel</c>: waits for the trainer lock, then trains a round whenever the closed window has
/// grown by --every pairs since the newest checkpoint (the first round once it holds --min-pairs), and publishes it
/// for the services watching the directory. --once trains one round now and exits.
/// </summary>
internal static class SentinelRunner
{
    public const int LockHeld = 3;

    public static int Run(SentinelSettings settings, TextWriter stdout, TextWriter stderr)
    {
        return OfflineExit.Guard("sentinel", stderr, () =>
        {
            settings.Validate();
            using var loggers = CliLogging.Create(LogLevel.Warning);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                return Loop(settings, stdout, stderr, loggers.CreateLogger("clipguard.sentinel"), cancel.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
    }

    private static int Loop(SentinelSettings settings, TextWriter stdout, TextWriter stderr, ILogger logger, CancellationToken cancel)
    {
        var layout = new SentinelLayout(settings.Directory);
        layout.Create();
        bool waitingNoted = false;
        while (true)
        {
            using (SentinelLock? held = SentinelLock.TryAcquire(layout))
            {
                if (held is null)
                {
                    if (settings.Once)
                    {
                        stderr.WriteLine($"clipguard sentinel: another trainer holds {Path.Combine(layout.Models, ".lock")}");
                        return LockHeld;
                    }

                    if (!waitingNoted)
                    {
                        stderr.WriteLine("sentinel: another trainer holds the lock; waiting");
                        waitingNoted = true;
                    }
                }
                else if (Due(layout, settings) is { } due || settings.Once)
                {
                    stderr.WriteLine($"sentinel: round starting ({Due(layout, settings) ?? "--once"})");
                    SentinelModel model = SentinelRound.Run(settings, Observer(stderr, settings.Epochs), logger, cancel);
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"sentinel: v{model.Version} {model.Manifest.ModelVersion} published to {model.Directory}: {model.Manifest.WindowPairs} pairs, {model.Manifest.Segments} segments, {model.Manifest.Epochs} epochs, train {model.Manifest.TrainSeconds:0.0} s, decode {model.Manifest.DecodeSeconds:0.0} s, final loss {model.Manifest.FinalLoss ?? double.NaN:0.0000}"));
                    if (settings.Once)
                    {
                        return OfflineExit.Ok;
                    }
                }
            }

            Task.Delay(settings.Poll, cancel).GetAwaiter().GetResult();
        }
    }

    /// <summary>Why a round is due now, or null when it is not.</summary>
    internal static string? Due(SentinelLayout layout, SentinelSettings settings)
    {
        SentinelModel? newest = layout.Newest();
        int fresh = layout.PairsAfter(newest?.Manifest.LastSegment);
        if (newest is null)
        {
            return fresh >= settings.MinimumPairs ? $"first round: {fresh} pairs in the window" : null;
        }

        return fresh >= settings.Every ? $"{fresh} new pairs since v{newest.Version}" : null;
    }

    private static TrainObserver Observer(TextWriter stderr, int epochs) => new()
    {
        Info = line => stderr.WriteLine($"sentinel: {line}"),
        Epoch = e => stderr.WriteLine(TrainRunner.DescribeEpoch(e, epochs).Replace("train:", "sentinel:", StringComparison.Ordinal)),
    };
}
