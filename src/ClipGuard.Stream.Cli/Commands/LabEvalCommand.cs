using System.CommandLine;
using System.Diagnostics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Evaluation;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard lab eval</c> and <c>clipguard lab report</c>: detection quality of a trained lab run, and the summary document.</summary>
internal static class LabEvalCommand
{
    public static Command Create()
    {
        var defaults = new LabEvalOptions();
        var run = new Option<DirectoryInfo>("--run") { Description = "Run directory written by `lab train`", Required = true };
        var sizes = IntList("--reference-sizes", "Batch mode's random reference sizes (≥ the training set = all of it)", defaults.ReferenceSizes);
        var ks = IntList("--k", "Neighbourhood sizes", defaults.Ks);
        var noStream = new Option<bool>("--no-stream") { Description = "Batch mode only (no dev broker, no clipguard run)" };
        var streamSize = LabCommand.Int("--stream-size", "Images published to the stream (poisoned fraction kept)", defaults.StreamOptions.StreamSize);
        var streamReference = LabCommand.Int("--stream-reference", "Seed reference size of the streaming runs", defaults.StreamOptions.ReferenceSize);
        var streamKs = IntList("--stream-k", "k values of the streaming runs (one service run per detector and k)", defaults.StreamOptions.Ks);
        var streamDetectors = new Option<OutlierDetector[]>("--stream-detectors")
        {
            Description = "Detectors of the streaming runs (kdist, lof, slof, dao)",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. defaults.StreamOptions.Detectors],
            CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(v => CommonOptions.ParseEnum<OutlierDetector>(v, r))],
        };
        var seed = LabCommand.Int("--seed", "Seed of the reference draws", defaults.Seed);
        var threads = LabCommand.Int("--threads", "k-NN and libtorch threads", defaults.Threads);
        var command = new Command("eval", "Embed a lab run's training set with its checkpoint and measure kdist/LOF/SLOF/DAO in batch and through the stream");
        foreach (Option option in new Option[] { run, sizes, ks, noStream, streamSize, streamReference, streamKs, streamDetectors, seed, threads })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab eval", () =>
        {
            var options = new LabEvalOptions
            {
                ReferenceSizes = p.GetRequiredValue(sizes),
                Ks = p.GetRequiredValue(ks),
                Stream = !p.GetValue(noStream),
                StreamOptions = new StreamEvalOptions
                {
                    StreamSize = p.GetValue(streamSize),
                    ReferenceSize = p.GetValue(streamReference),
                    Ks = p.GetRequiredValue(streamKs),
                    Detectors = p.GetRequiredValue(streamDetectors),
                },
                Seed = p.GetValue(seed),
                Threads = p.GetValue(threads),
            };
            string commandLine = "./clipguard " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            LabEvaluator.Evaluate(p.GetRequiredValue(run).FullName, options, Self, new LabConsoleReporter(), commandLine);
        }));
        return command;
    }

    /// <summary><c>lab report</c>: the summary document over evaluated runs.</summary>
    public static Command Report()
    {
        var runs = new Option<DirectoryInfo[]>("--runs") { Description = "Evaluated run directories, in table order", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--out") { Description = "Markdown file to write (ROC plots are copied next to it)", Required = true };
        var preamble = new Option<FileInfo?>("--preamble") { Description = "Markdown put before the tables (method, commands)" };
        var command = new Command("report", "Write the summary markdown and ROC plots of evaluated lab runs");
        command.Options.Add(runs);
        command.Options.Add(output);
        command.Options.Add(preamble);
        command.SetAction(p => LabCommand.Guarded("lab report", () => LabReportWriter.Write(
            [.. p.GetRequiredValue(runs).Select(d => d.FullName)],
            p.GetRequiredValue(output).FullName,
            p.GetValue(preamble) is { } file ? File.ReadAllText(file.FullName) : "# Detection results\n")));
        return command;
    }

    /// <summary>This CLI as a child process (the dev broker and the stream service the lab drives).</summary>
    private static ProcessStartInfo Self(IReadOnlyList<string> args)
    {
        string? host = Environment.ProcessPath;
        var info = new ProcessStartInfo(host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet");
        info.ArgumentList.Add(typeof(LabEvalCommand).Assembly.Location);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static Option<int[]> IntList(string name, string description, IEnumerable<int> values) => new(name)
    {
        Description = description + " (comma-separated)",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [.. values],
        CustomParser = r =>
        {
            var result = new List<int>();
            foreach (string v in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out int n))
                {
                    result.Add(n);
                }
                else
                {
                    r.AddError($"{name}: '{v}' is not an integer");
                }
            }

            return [.. result];
        },
    };
}
