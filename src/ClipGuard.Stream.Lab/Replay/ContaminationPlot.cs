using ScottPlot;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>Poisons in the reference over the stream, one line per run, with the k/4 line the reference must stay under.</summary>
public static class ContaminationPlot
{
    public static void Save(string path, string title, IReadOnlyList<ReplayResult> runs, int batchSize, int k, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var plot = new Plot();
        int longest = 0;
        foreach (ReplayResult r in runs)
        {
            double[] x = [.. Enumerable.Range(1, r.PoisonsInReference.Count).Select(i => (double)i * batchSize)];
            double[] y = [.. r.PoisonsInReference.Select(v => (double)v)];
            var line = plot.Add.ScatterLine(x, y);
            line.LegendText = r.Name;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            longest = Math.Max(longest, r.PoisonsInReference.Count);
        }

        var limit = plot.Add.HorizontalLine(k / 4.0);
        limit.LinePattern = LinePattern.Dashed;
        limit.Color = Colors.Red;
        limit.LegendText = $"k/4 = {k / 4.0:0.##}";
        plot.Title(title);
        plot.XLabel("samples streamed");
        plot.YLabel("poisons in the reference");
        plot.Axes.SetLimits(0, Math.Max(1, longest) * (double)batchSize, 0, Math.Max(k / 4.0 + 1, runs.Max(r => r.MaxPoisonsInReference) + 1));
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, width, height);
    }
}
