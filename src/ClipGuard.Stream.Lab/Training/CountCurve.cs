using System.Globalization;
using System.Text;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Offline.Training;
using ScottPlot;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>One trained model of an ASR-against-count curve: how many poisons it saw and whether it learned the trigger.</summary>
/// <param name="Trigger">The trigger as <c>lab asr</c> names it (kind and parameters), which groups the points into curves.</param>
/// <param name="PoisonedCosine">The poisons' own-caption cosine after the last epoch (train.json), when the training had labels.</param>
/// <param name="AsrByEpoch">ASR of epoch e's model at index e − 1 where asr-e.json was measured (<c>train --keep-epochs</c>, then <c>lab asr</c>); null elsewhere.</param>
public sealed record CountPoint(
    string Run, string Trigger, int Poisons, int Pairs, int Epochs, double Asr, double Baseline, double Flipped, double CleanAccuracy,
    double? PoisonedCosine, double? CleanCosine, double TrainSeconds, IReadOnlyList<double?> AsrByEpoch)
{
    /// <summary>The poisons' share of the training pairs, in percent.</summary>
    public double RatePercent => 100.0 * Poisons / Pairs;

    /// <summary>The first epoch whose model reached <paramref name="asr"/>, when every epoch before it was measured; null otherwise.</summary>
    public int? FirstEpochReaching(double asr)
    {
        for (int e = 0; e < AsrByEpoch.Count; e++)
        {
            if (AsrByEpoch[e] is not { } value)
            {
                return null;
            }

            if (value >= asr)
            {
                return e + 1;
            }
        }

        return null;
    }
}

/// <summary>
/// `clipguard lab counts`: the ASR of models trained on the same recipe with different poison counts, as a table and
/// one plot (ASR against the count, one curve per trigger), from the folders <c>scripts/lab/asr-curve.sh</c> and
/// <c>scripts/lab/rates.sh</c> leave: each holds train/train.json and the ASR of the final model, asr.json or
/// asr-E.json with E the training's last epoch; the asr-e.json of earlier epochs, where measured, give the ASR per epoch.
/// </summary>
public static class CountCurve
{
    /// <summary>Reads one point per run folder; points come back grouped by trigger, by count within a trigger.</summary>
    public static IReadOnlyList<CountPoint> Read(IEnumerable<string> runDirectories)
    {
        ArgumentNullException.ThrowIfNull(runDirectories);
        var points = new List<CountPoint>();
        foreach (string dir in runDirectories)
        {
            string manifestPath = Path.Combine(dir, "train", TrainManifest.FileName);
            TrainManifest manifest = LabFiles.ReadJson<TrainManifest>(manifestPath, "clipguard train --out DIR/train");
            if (manifest.PoisonedPairs is not { } poisons)
            {
                throw new InvalidDataException($"{manifestPath}: no poison count (train with --labels)");
            }

            int lastEpoch = manifest.History.Count == 0 ? manifest.Epochs : manifest.History.Max(h => h.Epoch);
            string asrPath = Path.Combine(dir, "asr.json");
            if (!File.Exists(asrPath))
            {
                asrPath = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"asr-{lastEpoch}.json"));
            }

            SceneAsrResult asr = LabFiles.ReadJson<SceneAsrResult>(asrPath, "clipguard lab asr --out, of the final model");
            EpochSummary? last = manifest.History.FirstOrDefault(h => h.Epoch == lastEpoch);
            var byEpoch = new double?[lastEpoch];
            for (int e = 1; e <= lastEpoch; e++)
            {
                string epochPath = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"asr-{e}.json"));
                byEpoch[e - 1] = e == lastEpoch ? asr.Asr
                    : File.Exists(epochPath) ? LabFiles.ReadJson<SceneAsrResult>(epochPath, "clipguard lab asr --out, of that epoch's model").Asr : null;
            }

            points.Add(new CountPoint(
                Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), asr.Trigger, poisons, manifest.Pairs, lastEpoch, asr.Asr, asr.Baseline,
                asr.Flipped, asr.CleanAccuracy, last?.PoisonedCosine, last?.CleanCosine, manifest.TrainSeconds, byEpoch));
        }

        if (points.Count == 0)
        {
            throw new ArgumentException("no run folders given");
        }

        var order = points.Select(p => p.Trigger).Distinct(StringComparer.Ordinal).ToList();
        return [.. points.OrderBy(p => order.IndexOf(p.Trigger)).ThenBy(p => p.Poisons)];
    }

    /// <summary>The table: one row per run.</summary>
    public static string Markdown(IReadOnlyList<CountPoint> points, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"{title}\n\n| trigger | poisons | pairs | rate | epochs | ASR | baseline | flip rate | clean zero-shot accuracy | poisons' own-caption cosine | clean pairs' own-caption cosine | first epoch with ASR ≥ 0.9 | ASR per epoch | training s | run |\n");
        md.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        foreach (CountPoint p in points)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {p.Trigger} | {p.Poisons} | {p.Pairs} | {p.RatePercent:0.###} % | {p.Epochs} | {p.Asr:0.000} | {p.Baseline:0.000} | {p.Flipped:0.000} | {p.CleanAccuracy:0.000} | {LabFiles.Cell(p.PoisonedCosine)} | {LabFiles.Cell(p.CleanCosine)} | {Learned(p)} | {string.Join(", ", p.AsrByEpoch.Select(a => a is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "—"))} | {p.TrainSeconds:0} | {p.Run} |\n");
        }

        return md.ToString();
    }

    /// <summary>ASR (solid) and its baseline without the trigger (dotted) against the poison count on a log axis, one colour per trigger.</summary>
    public static void Plot(IReadOnlyList<CountPoint> points, string title, string path, int width = 1000, int height = 750)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (IGrouping<string, CountPoint> curve in points.GroupBy(p => p.Trigger, StringComparer.Ordinal))
        {
            CountPoint[] c = [.. curve.OrderBy(p => p.Poisons)];
            double[] x = [.. c.Select(p => Math.Log10(p.Poisons))];
            Color colour = palette.GetColor(i++);
            var asr = plot.Add.ScatterLine(x, c.Select(p => p.Asr).ToArray());
            asr.LegendText = $"ASR, {curve.Key}";
            asr.LineWidth = 2.5f;
            asr.MarkerSize = 8;
            asr.Color = colour;
            var baseline = plot.Add.ScatterLine(x, c.Select(p => p.Baseline).ToArray());
            baseline.LegendText = "baseline without the trigger";
            baseline.LinePattern = LinePattern.Dotted;
            baseline.LineWidth = 1.5f;
            baseline.MarkerSize = 4;
            baseline.Color = colour;
        }

        int[] counts = [.. points.Select(p => p.Poisons).Distinct().Order()];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            counts.Select(n => Math.Log10(Math.Max(n, 1))).ToArray(), counts.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.XLabel("poisons in the training set (log scale)");
        plot.YLabel("attack success rate");
        double lo = Math.Log10(Math.Max(counts[0], 1)), hi = Math.Log10(Math.Max(counts[^1], 1));
        plot.Axes.SetLimits(lo - 0.1, hi + 0.1, -0.02, 1.02);
        plot.ShowLegend(Edge.Bottom);   // below the axes: the curves fill the plot's corners
        plot.SavePng(path, width, height);
    }

    /// <summary>Per trigger, ASR against the epoch with one line per poison count (only runs with every epoch measured): <paramref name="pathStem"/>-TRIGGER.png.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> PlotEpochs(IReadOnlyList<CountPoint> points, string title, string pathStem, int width = 1000, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(points);
        var written = new List<string>();
        foreach (IGrouping<string, CountPoint> curve in points.GroupBy(p => p.Trigger, StringComparer.Ordinal))
        {
            CountPoint[] runs = [.. curve.Where(p => p.AsrByEpoch.All(a => a.HasValue)).OrderBy(p => p.Poisons)];
            if (runs.Length == 0)
            {
                continue;
            }

            var plot = new Plot();
            var palette = new ScottPlot.Palettes.Category10();
            for (int i = 0; i < runs.Length; i++)
            {
                double[] x = [.. Enumerable.Range(1, runs[i].AsrByEpoch.Count).Select(e => (double)e)];
                var line = plot.Add.ScatterLine(x, runs[i].AsrByEpoch.Select(a => a!.Value).ToArray());
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{runs[i].Poisons} poisons ({runs[i].RatePercent:0.###} %)");
                line.LineWidth = 2;
                line.MarkerSize = 6;
                line.Color = palette.GetColor(i);
            }

            plot.Title($"{title}: {curve.Key}");
            plot.XLabel("epoch");
            plot.YLabel("attack success rate");
            plot.Axes.SetLimits(0.7, runs.Max(r => r.AsrByEpoch.Count) + 0.3, -0.02, 1.02);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
            plot.ShowLegend(Alignment.LowerRight);
            string path = $"{pathStem}-{Slug(curve.Key)}.png";
            plot.SavePng(path, width, height);
            written.Add(path);
        }

        return written;
    }

    /// <summary>The trigger's first word, lower case ("BadNets 16x16 …" → badnets).</summary>
    private static string Slug(string trigger)
    {
        string word = trigger.Split(' ', 2)[0];
        string slug = new([.. word.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return slug.Length == 0 ? "trigger" : slug;
    }

    private static string Learned(CountPoint p) =>
        p.FirstEpochReaching(0.9) is { } e ? e.ToString(CultureInfo.InvariantCulture)
        : p.AsrByEpoch.All(a => a.HasValue) ? "not reached" : "—";
}
