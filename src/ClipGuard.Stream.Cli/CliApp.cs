using System.CommandLine;
using ClipGuard.Stream.Cli.Commands;

namespace ClipGuard.Stream.Cli;

/// <summary>Builds the `clipguard` command tree: one verb per file under Commands/.</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("ClipGuard.Stream: keeps backdoor-poisoned image-text pairs out of CLIP training data.");
        foreach (Command verb in Verbs())
        {
            root.Subcommands.Add(verb);
        }

        return root.Parse(args).Invoke();
    }

    private static IEnumerable<Command> Verbs()
    {
        yield return DevBrokerCommand.Create();
        yield return PublishCommand.Create();
    }
}
