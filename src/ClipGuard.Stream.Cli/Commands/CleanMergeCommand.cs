using System.CommandLine;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Offline.Cleaning;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard clean-merge`: combines the parts of a `clean --shard i/n` run into the final outputs.</summary>
internal static class CleanMergeCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "Output folder of clipguard embed", Required = true };
        var output = new Option<string>("--out") { Description = "The --out folder every clean --shard part wrote to", Required = true };
        var (removeTop, threshold, falseRemovalRate, budgetConfidence, burstMin, top) = CleanCommand.ReportOptions();
        var command = new Command("clean-merge", "Merge the per-shard scores of clean --shard i/n runs: scores.csv, removal list, summary")
        {
            embeddings, output, removeTop, threshold, falseRemovalRate, budgetConfidence, burstMin, top,
        };
        command.SetAction(p => CleanRunner.Merge(
            new CleanSettings(p.GetValue(embeddings)!, p.GetValue(output)!)
            {
                RemoveTopPercent = p.GetValue(removeTop),
                Threshold = p.GetValue(threshold),
                FalseRemovalRate = p.GetValue(falseRemovalRate),
                BudgetConfidence = p.GetValue(budgetConfidence),
                BurstMin = p.GetValue(burstMin),
                Top = p.GetValue(top),
            },
            Console.Out, Console.Error));
        return command;
    }
}
