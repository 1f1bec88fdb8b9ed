using System.Globalization;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Lab.Protocol;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Offline.Training;
using ScottPlot;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>One epoch of a training: whether the backdoor was learned, how the pairs aligned, what each detector saw.</summary>
/// <param name="Auroc">AUROC per signal of the paper's batch protocol on the epoch's embeddings (see <see cref="EpochTrack.Signals"/>).</param>
public sealed record EpochPoint(int Epoch, double Asr, double Baseline, double Flipped, double? PoisonedCosine, double? CleanCosine, IReadOnlyDictionary<string, double> Auroc);

/// <summary>
/// `clipguard lab epochs`: the epochs of one training side by side, from the files <c>scripts/lab/epochs.sh</c> leaves
/// (train.json's history; per epoch the ASR of <c>lab asr</c> and the rows of <c>lab protocol</c> on that epoch's
/// embeddings), as a table and one plot, so the epoch where the backdoor is learned and what each signal sees before
/// and after it read at a glance.
/// </summary>
public static class EpochTrack
{
    /// <summary>The protocol rows plotted: (space, detector, legend).</summary>
    public static readonly IReadOnlyList<(string Space, string Detector, string Label)> Signals =
    [
        (ProtocolRow.ImageSpace, "DAO", "image DAO AUROC"),
        (ProtocolRow.ImageSpace, "LOF", "image LOF AUROC"),
        (ProtocolRow.ImageSpace, "k-dist", "image k-dist AUROC"),
        (ProtocolRow.ImageTextSpace, "DAO", "image+text DAO AUROC"),
        (ProtocolRow.PairSpace, ProtocolRow.Disagreement, "own-caption disagreement AUROC"),
    ];

    /// <summary>Reads <paramref name="trainDirectory"/>/train.json and <paramref name="trackDirectory"/>/epoch-NNNN/{asr,protocol}.json.</summary>
    public static IReadOnlyList<EpochPoint> Read(string trainDirectory, string trackDirectory)
    {
        string manifestPath = Path.Combine(trainDirectory, TrainManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"{manifestPath}: no train.json (clipguard train --out)");
        }

        TrainManifest manifest = JsonSerializer.Deserialize<TrainManifest>(File.ReadAllText(manifestPath), JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"{manifestPath}: empty");
        string[] epochs = Directory.Exists(trackDirectory) ? Directory.GetDirectories(trackDirectory, "epoch-*").Order(StringComparer.Ordinal).ToArray() : [];
        if (epochs.Length == 0)
        {
            throw new ArgumentException($"{trackDirectory}: no epoch-NNNN folders (scripts/lab/epochs.sh writes them)");
        }

        var points = new List<EpochPoint>();
        foreach (string dir in epochs)
        {
            string name = Path.GetFileName(dir);
            if (!int.TryParse(name.AsSpan("epoch-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            {
                throw new ArgumentException($"{dir}: not an epoch-NNNN folder");
            }

            EpochSummary summary = manifest.History.FirstOrDefault(h => h.Epoch == epoch)
                ?? throw new InvalidDataException($"{manifestPath}: no history for epoch {epoch}");
            SceneAsrResult asr = LabFiles.ReadJson<SceneAsrResult>(Path.Combine(dir, "asr.json"), "clipguard lab asr --out");
            List<List<ProtocolRow>> runs = LabFiles.ReadJson<List<List<ProtocolRow>>>(Path.Combine(dir, "protocol.json"), "clipguard lab protocol");
            if (runs.Count != 1)
            {
                throw new InvalidDataException($"{dir}/protocol.json: {runs.Count} runs, expected the one of this epoch's embeddings");
            }

            var auroc = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach ((string space, string detector, string label) in Signals)
            {
                if (runs[0].FirstOrDefault(r => r.Space == space && r.Detector == detector) is { } row)
                {
                    auroc[label] = row.Auroc;
                }
            }

            points.Add(new EpochPoint(epoch, asr.Asr, asr.Baseline, asr.Flipped, summary.PoisonedCosine, summary.CleanCosine, auroc));
        }

        return points;
    }

    /// <summary>The table: one row per epoch.</summary>
    public static string Markdown(IReadOnlyList<EpochPoint> points, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        var labels = Signals.Select(s => s.Label).Where(l => points.Any(p => p.Auroc.ContainsKey(l))).ToList();
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"{title}\n\n| epoch | ASR | baseline | flip rate | poisons' own-caption cosine | clean pairs' own-caption cosine | {string.Join(" | ", labels)} |\n");
        md.Append("|---:|---:|---:|---:|---:|---:|").Append(string.Concat(labels.Select(_ => "---:|"))).Append('\n');
        foreach (EpochPoint p in points)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {p.Epoch} | {p.Asr:0.000} | {p.Baseline:0.000} | {p.Flipped:0.000} | {LabFiles.Cell(p.PoisonedCosine)} | {LabFiles.Cell(p.CleanCosine)} |");
            foreach (string label in labels)
            {
                md.Append(' ').Append(p.Auroc.TryGetValue(label, out double a) ? a.ToString("0.000", CultureInfo.InvariantCulture) : "—").Append(" |");
            }

            md.Append('\n');
        }

        return md.ToString();
    }

    /// <summary>Every quantity against the epoch on one plot (all lie in [0, 1]).</summary>
    public static void Plot(IReadOnlyList<EpochPoint> points, string title, string path, int width = 1000, int height = 650)
    {
        ArgumentNullException.ThrowIfNull(points);
        double[] x = [.. points.Select(p => (double)p.Epoch)];
        var plot = new Plot();
        void Series(string label, IEnumerable<double?> values, LinePattern pattern, float width)
        {
            var pairs = x.Zip(values).Where(v => v.Second is { } y && double.IsFinite(y)).ToArray();
            if (pairs.Length == 0)
            {
                return;
            }

            var line = plot.Add.ScatterLine(pairs.Select(v => v.First).ToArray(), pairs.Select(v => v.Second!.Value).ToArray());
            line.LegendText = label;
            line.LineWidth = width;
            line.LinePattern = pattern;
            line.MarkerSize = 6;
        }

        Series("ASR", points.Select(p => (double?)p.Asr), LinePattern.Solid, 3);
        Series("flip rate", points.Select(p => (double?)p.Flipped), LinePattern.Dashed, 2);
        Series("poisons' own-caption cosine", points.Select(p => p.PoisonedCosine), LinePattern.Dotted, 2);
        Series("clean pairs' own-caption cosine", points.Select(p => p.CleanCosine), LinePattern.Dotted, 1);
        foreach ((_, _, string label) in Signals)
        {
            Series(label, points.Select(p => p.Auroc.TryGetValue(label, out double a) ? a : (double?)null), LinePattern.Solid, 1.5f);
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("ASR, cosine, AUROC");
        plot.Axes.SetLimits(x.Min() - 0.3, x.Max() + 0.3, -0.02, 1.02);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }
}
