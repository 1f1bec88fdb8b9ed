using System.CommandLine;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Offline;
using ClipGuard.Stream.Offline.Cleaning;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard clean`: scores every embedded sample against a random reference; removal list and summary.</summary>
internal static class CleanCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "Output folder of clipguard embed", Required = true };
        Option<OutlierDetector> detector = CommonOptions.Detector();
        Option<int> k = CommonOptions.K();
        Option<DistanceMetric> metric = CommonOptions.Metric();
        var referenceSize = new Option<int>("--reference-size") { Description = "Random reference size drawn from the dataset (see docs/detection.md on why it matters)", DefaultValueFactory = _ => CleanSettings.DefaultReferenceSize };
        var reference = new Option<string?>("--reference") { Description = "Reference embeddings (.npy) instead of a random draw" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random reference", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output folder (scores, removal list, summary)", Required = true };
        Option<string?> shard = EmbedCommand.ShardOption();
        Option<int> threads = CommonOptions.Threads();
        var (removeTop, threshold, falseRemovalRate, budgetConfidence, burstMin, top) = ReportOptions();
        var command = new Command("clean", "Score an embedded dataset with kdist/LOF/SLOF/DAO against a random reference, fused with image-caption agreement by p-values; write scores, removal list and summary")
        {
            embeddings, detector, k, metric, referenceSize, reference, seed, output, removeTop, threshold, falseRemovalRate, budgetConfidence, shard, threads, burstMin, top,
        };
        command.SetAction(p => OfflineExit.Guard("clean", Console.Error, () => CleanRunner.Clean(
            new CleanSettings(p.GetValue(embeddings)!, p.GetValue(output)!)
            {
                Detector = p.GetValue(detector),
                K = p.GetValue(k),
                Metric = p.GetValue(metric),
                ReferenceSize = p.GetValue(referenceSize),
                Reference = p.GetValue(reference),
                Seed = p.GetValue(seed),
                RemoveTopPercent = p.GetValue(removeTop),
                Threshold = p.GetValue(threshold),
                FalseRemovalRate = p.GetValue(falseRemovalRate),
                BudgetConfidence = p.GetValue(budgetConfidence),
                Shard = ShardSelection.Parse(p.GetValue(shard)),
                Threads = p.GetValue(threads),
                BurstMin = p.GetValue(burstMin),
                Top = p.GetValue(top),
            },
            Console.Out, Console.Error)));
        return command;
    }

    /// <summary>The options that shape the removal list and summary, shared with clean-merge.</summary>
    internal static (Option<double?> RemoveTop, Option<double?> Threshold, Option<double> FalseRemovalRate, Option<double?> BudgetConfidence, Option<int> BurstMin, Option<int> Top) ReportOptions() => (
        new Option<double?>("--remove-top") { Description = "Remove this percentage of samples, highest scores first (instead of the p-value budget)" },
        new Option<double?>("--threshold") { Description = "Remove samples scoring above this (instead of the p-value budget)" },
        new Option<double>("--false-removal-rate") { Description = "Default rule: remove samples whose fused p-value (image density + image-caption agreement) is at most this share", DefaultValueFactory = _ => CleanSettings.DefaultFalseRemovalRate },
        new Option<double?>("--budget-confidence") { Description = "Hold --false-removal-rate with this confidence over the calibration draw (e.g. 0.9), not only on average: each signal is cut at the level that keeps its share below the budget with that probability (see clipguard lab budget)" },
        new Option<int>("--burst-min") { Description = "Report captions shared by at least this many samples", DefaultValueFactory = _ => 10 },
        new Option<int>("--top") { Description = "Most suspicious samples listed in the summary", DefaultValueFactory = _ => 20 });
}
