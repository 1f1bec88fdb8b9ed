using System.Globalization;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// The score histogram as a PNG (ScottPlot 5, which draws with the SkiaSharp the embedder already loads), with the
/// removal threshold as a vertical line. Density-ratio scores are heavy-tailed (DAO reaches thousands while most
/// samples sit near 1), so positive scores spanning more than two decades are binned on log10; bins span the 0th to
/// 99.9th percentile so one extreme score does not squash the rest into one bar; the few beyond are counted in the title.
/// </summary>
public static class ScoreHistogram
{
    public const int Bins = 60;

    public static void Write(string path, IReadOnlyList<double> scores, double? threshold, string title)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var sorted = scores.Order().ToArray();
        bool log = sorted.Length > 0 && sorted[0] > 0 && sorted[^1] / sorted[0] > 100;
        if (log)
        {
            sorted = sorted.Select(Math.Log10).ToArray();
            threshold = threshold is { } th && th > 0 ? Math.Log10(th) : null;
        }

        var plot = new ScottPlot.Plot();
        int beyond = 0;
        if (sorted.Length > 0)
        {
            double lo = sorted[0], hi = sorted[(int)Math.Floor(0.999 * (sorted.Length - 1))];
            if (hi <= lo)
            {
                hi = lo + 1;
            }

            double width = (hi - lo) / Bins;
            var counts = new double[Bins];
            foreach (double s in sorted)
            {
                if (s > hi)
                {
                    beyond++;
                    continue;
                }

                counts[Math.Min(Bins - 1, (int)((s - lo) / width))]++;
            }

            var bars = Enumerable.Range(0, Bins).Select(b => new ScottPlot.Bar { Position = lo + ((b + 0.5) * width), Value = counts[b], Size = width }).ToList();
            plot.Add.Bars(bars);
            if (threshold is { } t && t >= lo && t <= hi)
            {
                var line = plot.Add.VerticalLine(t);
                line.Color = ScottPlot.Colors.Red;
                line.LegendText = "removal threshold";
            }
        }

        plot.Title(beyond > 0 ? string.Create(CultureInfo.InvariantCulture, $"{title} ({beyond} above the axis)") : title);
        plot.XLabel(log ? "log10 score (higher is more suspicious)" : "score (higher is more suspicious)");
        plot.YLabel("samples");
        plot.Axes.Margins(bottom: 0);
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        byte[] png = plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);
        Core.IO.AtomicFile.Write(path, tmp => File.WriteAllBytes(tmp, png));
    }
}
