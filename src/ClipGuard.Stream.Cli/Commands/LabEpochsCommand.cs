using System.CommandLine;
using ClipGuard.Stream.Lab.Training;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// <c>clipguard lab epochs</c>: a training's epochs side by side (ASR, alignment, each detector's AUROC) as a table, a
/// JSON file and one plot, from the files <c>scripts/lab/epochs.sh</c> leaves.
/// </summary>
internal static class LabEpochsCommand
{
    public static Command Create()
    {
        var train = new Option<DirectoryInfo>("--train") { Description = "The training's folder (clipguard train --out: train.json)", Required = true };
        var track = new Option<DirectoryInfo>("--track") { Description = "Per epoch, epoch-NNNN/asr.json (lab asr) and epoch-NNNN/protocol.json (lab protocol on that epoch's embeddings)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Markdown table to write (the points go beside it as .json, the plot as .png)", Required = true };
        var title = new Option<string?>("--title") { Description = "Title of the table and the plot (default: the training folder)" };
        var command = new Command("epochs", "A training's epochs side by side: ASR, the pairs' alignment and each detector's AUROC, as a table and one plot");
        foreach (Option option in new Option[] { train, track, output, title })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab epochs", () =>
        {
            DirectoryInfo trainDir = p.GetRequiredValue(train);
            IReadOnlyList<EpochPoint> points = EpochTrack.Read(trainDir.FullName, p.GetRequiredValue(track).FullName);
            string heading = p.GetValue(title) ?? $"Epochs of {trainDir.FullName}";
            FileInfo file = p.GetRequiredValue(output);
            LabCommand.WriteTable(file, EpochTrack.Markdown(points, heading), points);
            EpochTrack.Plot(points, heading, Path.ChangeExtension(file.FullName, ".png"));
        }));
        return command;
    }
}
