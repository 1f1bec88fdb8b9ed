using System.CommandLine;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// <c>clipguard lab protocol</c>: the paper's batch protocol on embedded datasets (<c>clipguard embed</c> output) with
/// their labels, one run per seed, summarised as mean ± sd.
/// </summary>
internal static class LabProtocolCommand
{
    public static Command Create()
    {
        var defaults = new PaperProtocolOptions();
        var embeddings = new Option<DirectoryInfo[]>("--embeddings") { Description = "Embedded datasets (clipguard embed --out), one per seed", Required = true, AllowMultipleArgumentsPerToken = true };
        var labels = new Option<FileInfo[]>("--labels") { Description = "labels.csv (key,poisoned,...): one for all, or one per --embeddings", Required = true, AllowMultipleArgumentsPerToken = true };
        var batch = LabCommand.Int("--batch", "Samples per batch (the paper: 2,048)", defaults.BatchSize);
        var k = LabCommand.Int("--k", "Neighbourhood size", defaults.K);
        var seed = LabCommand.Int("--seed", "Seed of the batch shuffle", defaults.Seed);
        var removeTop = new Option<double>("--remove-top") { Description = "Percentage removed, highest scores first", DefaultValueFactory = _ => defaults.RemoveTopFraction * 100 };
        var fpr = new Option<double>("--fpr") { Description = "False-positive budget of the TPR column", DefaultValueFactory = _ => defaults.FprBudget };
        var threads = LabCommand.Int("--threads", "k-NN threads (0 = one per core)", defaults.Threads);
        var output = new Option<FileInfo>("--out") { Description = "Markdown table to write (the rows go beside it as .json)", Required = true };
        var plots = new Option<bool>("--plots") { Description = "Also save ROC and precision-recall PNGs of each run beside --out" };
        var command = new Command("protocol", "The paper's batch protocol (random batches of 2,048, image and image+text neighbours, unnormalised) on embedded datasets");
        foreach (Option option in new Option[] { embeddings, labels, batch, k, seed, removeTop, fpr, threads, output, plots })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab protocol", () =>
        {
            DirectoryInfo[] sets = p.GetRequiredValue(embeddings);
            FileInfo[] truth = p.GetRequiredValue(labels);
            if (truth.Length != 1 && truth.Length != sets.Length)
            {
                throw new ArgumentException($"{truth.Length} --labels for {sets.Length} --embeddings: give one, or one per dataset");
            }

            var options = new PaperProtocolOptions
            {
                BatchSize = p.GetValue(batch),
                K = p.GetValue(k),
                Seed = p.GetValue(seed),
                RemoveTopFraction = p.GetValue(removeTop) / 100,
                FprBudget = p.GetValue(fpr),
                Threads = p.GetValue(threads),
            };
            options.Validate();
            FileInfo file = p.GetRequiredValue(output);
            var runs = new List<IReadOnlyList<ProtocolRow>>();
            for (int i = 0; i < sets.Length; i++)
            {
                Console.Error.WriteLine($"lab protocol: {sets[i].FullName}");
                string? prefix = p.GetValue(plots) ? Path.ChangeExtension(file.FullName, null) + (sets.Length > 1 ? $"-run{i + 1}" : "") : null;
                runs.Add(ProtocolRun.Measure(sets[i].FullName, truth[truth.Length == 1 ? 0 : i].FullName, options, prefix));
            }

            LabCommand.WriteTable(file, ProtocolSummary.Markdown(runs, options, OutlierDetector.Dao), runs);
        }));
        return command;
    }
}
