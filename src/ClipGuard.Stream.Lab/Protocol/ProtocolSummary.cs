using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Evaluation;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// Rows of several runs (seeds) of the protocol, as mean ± sample standard deviation per space and detector, written
/// as a markdown table: the default detector first, every detector listed, no maximum taken over them.
/// </summary>
public static class ProtocolSummary
{
    public static string Markdown(IReadOnlyList<IReadOnlyList<ProtocolRow>> runs, PaperProtocolOptions options, OutlierDetector defaultDetector)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"The paper's batch protocol: batches of {options.BatchSize}, k = {options.K}, Euclidean on unnormalised embeddings; removal of the top {options.RemoveTopFraction * 100:0.##} %; TPR at FPR {options.FprBudget:0.####}. Mean ± sd over {runs.Count} run(s).");
        text.AppendLine();
        text.AppendLine(c, $"| space | detector | precision @ top {options.RemoveTopFraction * 100:0.##} % | recall @ top {options.RemoveTopFraction * 100:0.##} % | TPR @ FPR {options.FprBudget:0.####} | PR-AUC | AUROC | poisoned / clean |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var groups = runs.SelectMany(r => r)
            .GroupBy(r => (r.Space, r.Detector))
            .OrderBy(g => g.Key.Space switch { ProtocolRow.ImageSpace => 0, ProtocolRow.ImageTextSpace => 1, _ => 2 })
            .ThenBy(g => g.Key.Detector == BatchDetection.Name(defaultDetector) ? 0 : 1)
            .ThenBy(g => g.Key.Detector, StringComparer.Ordinal);
        foreach (var g in groups)
        {
            string name = g.Key.Detector == BatchDetection.Name(defaultDetector) ? $"**{g.Key.Detector}** (default)" : g.Key.Detector;
            text.AppendLine(c, $"| {g.Key.Space} | {name} | {MeanSd(g.Select(r => r.Precision))} | {MeanSd(g.Select(r => r.Recall))} | {MeanSd(g.Select(r => r.TprAtFpr))} | {MeanSd(g.Select(r => r.PrAuc))} | {MeanSd(g.Select(r => r.Auroc))} | {Counts(g)} |");
        }

        return text.ToString();
    }

    /// <summary>"mean ± sd" with three decimals; the sample standard deviation, omitted for one run.</summary>
    public static string MeanSd(IEnumerable<double> values)
    {
        double[] v = [.. values];
        double mean = v.Average();
        if (v.Length < 2)
        {
            return mean.ToString("0.000", CultureInfo.InvariantCulture);
        }

        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.000} ± {sd:0.000}");
    }

    private static string Counts(IEnumerable<ProtocolRow> rows) =>
        string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Positives} / {r.Negatives}")).Distinct());
}
