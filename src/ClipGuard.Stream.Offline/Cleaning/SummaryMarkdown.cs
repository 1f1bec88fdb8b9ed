using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>summary.md: the summary for people, next to score_histogram.png.</summary>
public static class SummaryMarkdown
{
    public static string Render(CleanSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Offline cleaning summary").AppendLine();
        sb.AppendLine(inv, $"- samples scored: {s.Samples} in {s.Shards} shards");
        sb.AppendLine(inv, $"- detector {s.Config.Detector}, k = {s.Config.K}, {s.Config.Metric}; reference: {s.Config.Reference}");
        sb.AppendLine(inv, $"- model: {s.Config.Model}");
        sb.AppendLine(inv, $"- p-values calibrated on: {s.Config.Calibration}");
        sb.AppendLine(inv, $"- scores: min {s.Scores.Min:G6}, median {s.Scores.P50:G6}, p90 {s.Scores.P90:G6}, p99 {s.Scores.P99:G6}, max {s.Scores.Max:G6}");
        sb.AppendLine(inv, $"- removal: {s.RemovalRule}: {s.Removed} samples{(s.RemovalThreshold is { } cut ? string.Create(inv, $" (threshold {cut:G6})") : "")} -> remove.txt");
        string skipped = s.SkippedWhileEmbedding.Count == 0 ? "none" : string.Join(", ", s.SkippedWhileEmbedding.Select(kv => $"{kv.Key} {kv.Value}"));
        sb.AppendLine(inv, $"- skipped while embedding: {skipped}").AppendLine();
        sb.AppendLine("![score histogram](score_histogram.png)").AppendLine();
        sb.AppendLine("## Most suspicious samples").AppendLine();
        sb.AppendLine("| rank | id | score | source | caption |").AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var t in s.Top)
        {
            sb.AppendLine(inv, $"| {t.Rank} | {Cell(t.Id)} | {t.Score:G6} | {Cell(t.Source ?? "unknown")} | {Cell(t.Caption)} |");
        }

        sb.AppendLine().AppendLine("## Duplicate-caption bursts").AppendLine();
        if (s.Bursts.Count == 0)
        {
            sb.AppendLine("None at the --burst-min count.");
        }
        else
        {
            sb.AppendLine("| samples | removed | mean score | top sources | caption |").AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var b in s.Bursts)
            {
                string sources = string.Join(", ", b.Sources.Select(x => string.Create(inv, $"{x.Source} {x.Count}")));
                sb.AppendLine(inv, $"| {b.Count} | {b.Removed} | {b.MeanScore:G6} | {Cell(sources)} | {Cell(b.Caption)} |");
            }
        }

        return sb.ToString();
    }

    private static string Cell(string text)
    {
        string oneLine = text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
        return oneLine.Length > 120 ? oneLine[..117] + "..." : oneLine;
    }
}
