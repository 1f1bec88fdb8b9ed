using System.CommandLine;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Cli.Commands;

namespace ClipGuard.Stream.Cli;

/// <summary>Builds the `clipguard` command tree: one verb per file under Commands/.</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        // Before anything loads FAISS or OpenBLAS: Debian's OpenBLAS misdetects some CPUs and runs 5-6x slow.
        OpenBlasKernel.Select();
        ParseResult parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Bad command lines are bad input: one line each, exit code 2, like every other input error.
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"clipguard: {error.Message}");
            }

            return 2;
        }

        return parse.Invoke();
    }

    /// <summary>The command tree, every verb attached (parsing a command line needs nothing else).</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("ClipGuard.Stream: keeps backdoor-poisoned image-text pairs out of CLIP training data.");
        foreach (Command verb in Verbs())
        {
            root.Subcommands.Add(verb);
        }

        return root;
    }

    private static IEnumerable<Command> Verbs()
    {
        yield return ScanCommand.Create();
        yield return BenchCommand.Create();
        yield return DemoCommand.Create();
        yield return ScanDemoCommand.Create();
        yield return DevBrokerCommand.Create();
        yield return PublishCommand.Create();
        yield return RunCommand.Create();
        yield return QuarantineCommand.Create();
        yield return EmbedCommand.Create();
        yield return CleanCommand.Create();
        yield return CleanMergeCommand.Create();
        yield return TrainCommand.Create();
        yield return SentinelCommand.Create();
        yield return LabCommand.Create();
    }
}
