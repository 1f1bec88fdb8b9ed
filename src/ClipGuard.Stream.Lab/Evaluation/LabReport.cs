using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Training;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Markdown for one evaluated run, and the summary over several (docs/detection-results.md).</summary>
public static class LabReport
{
    public static string Title(LabRunManifest run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return string.Create(CultureInfo.InvariantCulture, $"{run.Options.Trigger.Kind} r = {Percent(run.Options.Rate)}");
    }

    /// <summary>One run: the backdoor's strength, batch tables, streaming table, the ROC plot.</summary>
    public static string Section(LabEvalResult result, string plotPath)
    {
        ArgumentNullException.ThrowIfNull(result);
        LabRunManifest run = result.Run;
        var md = new StringBuilder();
        Line(md, $"### {Title(run)}");
        Line(md);
        Line(md, $"{run.Options.Trigger.Describe()}, target '{FashionMnist.ClassNames[run.Options.TargetClass]}'; {run.TrainCount:N0} training pairs, {run.PoisonedCount} poisoned; " +
                 $"model {run.ModelVersion}, {run.Options.Epochs} epochs in {run.TrainSeconds:0} s ({run.ImagesPerSecond:0} pairs/s).");
        Line(md);
        Line(md, $"**Clean zero-shot accuracy {run.CleanAccuracy:0.0000}**, **ASR {run.AttackSuccessRate:0.0000}** ({run.AsrImages:N0} triggered test images of other classes).");
        if (result.CommandLine is not null)
        {
            Line(md);
            Line(md, $"Evaluated with `{result.CommandLine}`.");
        }

        Line(md);
        Line(md, "Batch, leave-one-out over random references (poisoned fraction kept):");
        Line(md);
        Line(md, "| \\|R\\| | k | detector | AUROC | PR-AUC | FPR@95%TPR |");
        Line(md, "|---:|---:|---|---:|---:|---:|");
        foreach (DetectionRow r in result.Rows.Where(r => r.Mode == DetectionRow.BatchLeaveOneOut))
        {
            Line(md, $"| {r.ReferenceSize:N0} ({r.Report.Positives} poisoned) | {r.K} | {BatchDetection.Name(r.Detector)} | {r.Report.Auroc:0.0000} | {r.Report.PrAuc:0.0000} | {r.Report.FprAt95Tpr:0.0000} |");
        }

        if (result.Stream is { } stream)
        {
            Line(md);
            Line(md, $"Streaming: {stream.Published:N0} PNG images published to the dev broker, `clipguard run --model` per detector and k with a " +
                     $"seed reference of {stream.ReferenceSize:N0} training embeddings; batch = the same images scored by batch novelty " +
                     $"against the same reference (largest relative score difference stream vs batch: {stream.MaxScoreDifference:G3}).");
            Line(md);
            Line(md, "| k | detector | stream AUROC | batch AUROC | stream PR-AUC | stream FPR@95%TPR | quarantine precision | quarantine recall | images/s |");
            Line(md, "|---:|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (DetectionRow r in result.Rows.Where(r => r.Mode == DetectionRow.Streaming))
            {
                DetectionRow? batch = result.Rows.FirstOrDefault(b => b.Mode == DetectionRow.BatchNovelty && b.K == r.K && b.Detector == r.Detector);
                StreamRunReport? timing = stream.Runs.FirstOrDefault(t => t.K == r.K && t.Detector == r.Detector.ToString().ToLowerInvariant());
                Line(md, $"| {r.K} | {BatchDetection.Name(r.Detector)} | {r.Report.Auroc:0.0000} | {batch?.Report.Auroc:0.0000} | {r.Report.PrAuc:0.0000} | " +
                         $"{r.Report.FprAt95Tpr:0.0000} | {r.Precision:0.000} | {r.Recall:0.000} | {timing?.ImagesPerSecond:0} |");
            }
        }

        Line(md);
        Line(md, $"![ROC curves, {Title(run)}]({plotPath})");
        Line(md);
        return md.ToString();
    }

    /// <summary>The headline table over runs: accuracy, ASR, best batch and streaming AUROC at k = 16.</summary>
    public static string Summary(IReadOnlyList<LabEvalResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        Line(md, "| attack | r | poisoned | clean acc. | ASR | best batch AUROC (largest \\|R\\|) | best stream AUROC | its batch AUROC | \\|Δ\\| |");
        Line(md, "|---|---:|---:|---:|---:|---|---|---:|---:|");
        foreach (LabEvalResult result in results)
        {
            LabRunManifest run = result.Run;
            int largest = result.Rows.Where(r => r.Mode == DetectionRow.BatchLeaveOneOut).Select(r => r.ReferenceSize).DefaultIfEmpty().Max();
            DetectionRow? batch = Best(result.Rows.Where(r => r.Mode == DetectionRow.BatchLeaveOneOut && r.ReferenceSize == largest));
            DetectionRow? stream = Best(result.Rows.Where(r => r.Mode == DetectionRow.Streaming));
            DetectionRow? novelty = stream is null ? null : result.Rows.FirstOrDefault(r => r.Mode == DetectionRow.BatchNovelty && r.K == stream.K && r.Detector == stream.Detector);
            Line(md, $"| {run.Options.Trigger.Kind} | {Percent(run.Options.Rate)} | {run.PoisonedCount} | {run.CleanAccuracy:0.0000} | {run.AttackSuccessRate:0.0000} | " +
                     $"{Describe(batch)} | {Describe(stream)} | {novelty?.Report.Auroc:0.0000} | {(stream is null || novelty is null ? "" : Math.Abs(stream.Report.Auroc - novelty.Report.Auroc).ToString("0.0000", CultureInfo.InvariantCulture))} |");
        }

        return md.ToString();
    }

    private static DetectionRow? Best(IEnumerable<DetectionRow> rows) => rows.OrderByDescending(r => r.Report.Auroc).ThenBy(r => r.Detector == OutlierDetector.Dao ? 0 : 1).FirstOrDefault();

    private static string Describe(DetectionRow? row) =>
        row is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{row.Report.Auroc:0.0000} ({BatchDetection.Name(row.Detector)}, k = {row.K})");

    private static string Percent(double rate) => (rate * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static void Line(StringBuilder md, FormattableString? text = null) =>
        md.AppendLine(text is null ? "" : text.ToString(CultureInfo.InvariantCulture));

    private static void Line(StringBuilder md, string text) => md.AppendLine(text);
}
