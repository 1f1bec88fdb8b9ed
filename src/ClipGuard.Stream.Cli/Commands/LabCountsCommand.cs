using System.CommandLine;
using ClipGuard.Stream.Lab.Training;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// <c>clipguard lab counts</c>: the ASR of one recipe trained with different poison counts, as a table, a JSON file and
/// one plot (ASR against the count, a curve per trigger), from the folders <c>scripts/lab/asr-curve.sh</c> and
/// <c>scripts/lab/rates.sh</c> leave.
/// </summary>
internal static class LabCountsCommand
{
    public static Command Create()
    {
        var runs = new Option<DirectoryInfo[]>("--run")
        {
            Description = "A run folder: train/train.json and the final model's ASR (asr.json, or asr-E.json with E the last epoch); repeat per run",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "Markdown table to write (the points go beside it as .json, the plot as .png, ASR per epoch as -epochs-TRIGGER.png)", Required = true };
        var title = new Option<string?>("--title") { Description = "Title of the table and the plot" };
        var command = new Command("counts", "ASR against the poison count: one recipe's runs side by side, as a table and one plot");
        foreach (Option option in new Option[] { runs, output, title })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab counts", () =>
        {
            IReadOnlyList<CountPoint> points = CountCurve.Read(p.GetRequiredValue(runs).Select(d => d.FullName));
            string heading = p.GetValue(title) ?? "ASR against the poison count";
            FileInfo file = p.GetRequiredValue(output);
            LabCommand.WriteTable(file, CountCurve.Markdown(points, heading), points);
            CountCurve.Plot(points, heading, Path.ChangeExtension(file.FullName, ".png"));
            CountCurve.PlotEpochs(points, heading, Path.ChangeExtension(file.FullName, null) + "-epochs");
        }));
        return command;
    }
}
