using System.CommandLine;
using ClipGuard.Stream.Cli.Scan;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard scan`: local-outlier scores for a .npy of embeddings.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "Embeddings to score: .npy, float16/32/64, shape [n, d]", Required = true };
        var reference = new Option<string?>("--reference") { Description = "Reference embeddings (.npy); without it, rows are scored leave-one-out" };
        Option<OutlierDetector> detector = CommonOptions.Detector();
        Option<int> k = CommonOptions.K();
        Option<DistanceMetric> metric = CommonOptions.Metric();
        var labels = new Option<string?>("--labels") { Description = "0/1 per row (.npy): prints AUROC, PR-AUC and FPR at 95% TPR" };
        var output = new Option<string>("--out") { Description = "Output CSV: index,score", Required = true };
        Option<int> threads = CommonOptions.Threads();
        var command = new Command("scan", "Score embeddings with kdist, LOF, SLOF or DAO (novelty or leave-one-out)")
        {
            embeddings, reference, detector, k, metric, labels, output, threads,
        };
        command.SetAction(parse =>
        {
            var settings = new ScanSettings(
                parse.GetValue(embeddings)!,
                parse.GetValue(reference),
                parse.GetValue(detector),
                parse.GetValue(k),
                parse.GetValue(metric),
                parse.GetValue(labels),
                parse.GetValue(output)!,
                parse.GetValue(threads));
            return ConsoleProgress.Run("scoring", p => ScanRunner.Run(settings, Console.Out, Console.Error, p));
        });
        return command;
    }
}
