using ScottPlot;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>ROC curves of one lab run as a PNG (ScottPlot).</summary>
public static class RocPlot
{
    public static void Save(string path, string title, IReadOnlyList<RocSeries> curves, int width = 900, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var plot = new Plot();
        foreach (RocSeries curve in curves)
        {
            var line = plot.Add.ScatterLine(curve.Fpr, curve.Tpr);
            line.LegendText = curve.Label;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        plot.Title(title);
        plot.XLabel("false-positive rate");
        plot.YLabel("true-positive rate");
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }
}
