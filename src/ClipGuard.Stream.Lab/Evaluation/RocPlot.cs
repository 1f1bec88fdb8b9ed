using ScottPlot;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>ROC and precision-recall curves as PNG (ScottPlot).</summary>
public static class RocPlot
{
    public static void Save(string path, string title, IReadOnlyList<RocSeries> curves, int width = 900, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(curves);
        Draw(path, title, [.. curves.Select(c => (c.Label, c.Fpr, c.Tpr))], "false-positive rate", "true-positive rate", chanceDiagonal: true, Alignment.LowerRight, width, height);
    }

    /// <summary>Precision against recall; each series' X is recall, Y precision.</summary>
    public static void SavePrecisionRecall(string path, string title, IReadOnlyList<RocSeries> curves, int width = 900, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(curves);
        Draw(path, title, [.. curves.Select(c => (c.Label, c.Fpr, c.Tpr))], "recall", "precision", chanceDiagonal: false, Alignment.UpperRight, width, height);
    }

    private static void Draw(string path, string title, IReadOnlyList<(string Label, double[] X, double[] Y)> curves, string xLabel, string yLabel, bool chanceDiagonal, Alignment legend, int width, int height)
    {
        var plot = new Plot();
        foreach (var (label, x, y) in curves)
        {
            var line = plot.Add.ScatterLine(x, y);
            line.LegendText = label;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        if (chanceDiagonal)
        {
            var chance = plot.Add.Line(0, 0, 1, 1);
            chance.LinePattern = LinePattern.Dashed;
            chance.Color = Colors.Gray;
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        plot.ShowLegend(legend);
        plot.SavePng(path, width, height);
    }
}
