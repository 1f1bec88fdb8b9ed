using System.Globalization;
using ClipGuard.Stream.Offline.Training;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Runs the train engine for `clipguard train`: progress and one line per epoch on stderr, the summary on stdout.</summary>
internal static class TrainRunner
{
    public static int Run(TrainSettings settings, TextWriter stdout, TextWriter stderr)
    {
        return OfflineExit.Guard("train", stderr, () =>
        {
            using var loggers = CliLogging.Create(LogLevel.Warning);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            var decode = RateProgress.ForConsole("decode");
            var train = RateProgress.ForConsole("train");
            var observer = new TrainObserver
            {
                Decode = decode,
                Train = train,
                Info = line =>
                {
                    decode.Finish();
                    stderr.WriteLine($"train: {line}");
                },
                Epoch = e =>
                {
                    train.Finish();
                    stderr.WriteLine(DescribeEpoch(e, settings.Epochs));
                },
            };
            try
            {
                var manifest = TrainEngine.Run(settings, observer, loggers.CreateLogger("clipguard.train"), cancel.Token);
                train.Finish();
                stdout.WriteLine(Describe(manifest, settings.Out));
                return OfflineExit.Ok;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
    }

    internal static string DescribeEpoch(EpochSummary e, int epochs)
    {
        string groups = e.PoisonedCosine is { } p
            ? string.Create(CultureInfo.InvariantCulture, $" (poisoned {p:0.000} vs clean {e.CleanCosine ?? double.NaN:0.000})")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"train: epoch {e.Epoch}/{epochs}: loss {e.Loss:0.0000}, logit scale {e.LogitScale:0.0}, own-caption cosine {e.OwnCaptionCosine:0.000}{groups}, {e.PairsPerSecond:0.0} pairs/s, {e.Seconds:0.0} s; checkpoint written");
    }

    internal static string Describe(TrainManifest m, string output)
    {
        string skipped = m.Skipped.Count == 0 ? "none" : string.Join(", ", m.Skipped.Select(kv => $"{kv.Key} {kv.Value}"));
        string resumed = m.ResumedAfterEpoch > 0 ? $", resumed after epoch {m.ResumedAfterEpoch}" : "";
        string loss = m.History.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"loss {m.History[0].Loss:0.0000} -> {m.History[^1].Loss:0.0000}") : "no epochs";
        return string.Create(CultureInfo.InvariantCulture,
            $"train: {m.Pairs} pairs from {m.Shards} shards (skipped: {skipped}), {m.Epochs} epochs{resumed}; {loss}; {m.PairsPerSecond:0.0} pairs/s over {m.TrainSeconds:0.0} s of training, decode {m.DecodeSeconds:0.0} s\n" +
            $"train: model {m.ModelVersion} -> {m.ModelDirectory} (use --model with it); manifest {Path.Combine(output, TrainManifest.FileName)}");
    }
}
