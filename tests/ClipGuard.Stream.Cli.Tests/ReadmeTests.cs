using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Cli.Tests;

/// <summary>The README's commands and the files it names are checked against the code, so it cannot drift.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string[] Lines = File.ReadAllLines(RepositoryFiles.PathOf("README.md"));

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (string line in Lines.Where(l => l.StartsWith("    ./clipguard ", StringComparison.Ordinal)))
        {
            data.Add(line.Trim());
        }

        return data;
    }

    [Fact]
    public void TheReadmeShowsTheDemoTheTestsAndEveryGroupOfVerbs()
    {
        string[] commands = Commands().Select(row => row.Data).ToArray();

        Assert.Contains("./clipguard demo", commands);
        Assert.Contains(Lines, l => l.Trim() == "./test.sh");
        Assert.True(File.Exists(RepositoryFiles.PathOf("test.sh")) && File.Exists(RepositoryFiles.PathOf("clipguard")));
        foreach (string verb in new[] { "run", "publish", "quarantine", "scan", "embed", "clean", "lab", "bench" })
        {
            Assert.Contains(commands, c => c.StartsWith($"./clipguard {verb} ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandInTheReadmeParses(string command)
    {
        ParseResult parse = CliApp.Build().Parse(Split(command).Skip(1).ToArray());

        Assert.True(parse.Errors.Count == 0, $"{command}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        Assert.IsNotType<RootCommand>(parse.CommandResult.Command);
    }

    [Fact]
    public void EveryFileTheReadmeNamesExists()
    {
        string[] sources = Directory.EnumerateFiles(RepositoryFiles.PathOf("src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToArray();
        string text = string.Join('\n', Lines);
        string[] named = CsFile().Matches(text).Select(m => m.Value).Distinct().ToArray();
        string[] paths = RepositoryPath().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('/')).Distinct().ToArray();

        Assert.True(named.Length >= 8, $"the data path names {named.Length} source files");
        Assert.All(named, file => Assert.True(sources.Any(s => Names(s, file)), $"README names {file}, which is not under src/"));
        Assert.All(paths, path => Assert.True(File.Exists(RepositoryFiles.PathOf(path)) || Directory.Exists(RepositoryFiles.PathOf(path)), $"README names {path}, which does not exist"));
    }

    /// <summary>
    /// Whether a source path is the file the README names: a full path, a project-relative one with the project's
    /// short name first (Kafka/Streaming/Router.cs), or a bare file name beside one of those.
    /// </summary>
    private static bool Names(string source, string named) =>
        named.Contains('/', StringComparison.Ordinal)
            ? source == named || source.EndsWith("/" + named, StringComparison.Ordinal) || source == "src/ClipGuard.Stream." + named
            : source.EndsWith("/" + named, StringComparison.Ordinal);

    /// <summary>Splits a command line as a POSIX shell does for plain words and double-quoted strings.</summary>
    private static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    any = false;
                }
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        Assert.False(quoted, $"unbalanced quote in: {line}");
        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    [GeneratedRegex(@"[A-Za-z/]*[A-Z][A-Za-z]+\.cs\b")]
    private static partial Regex CsFile();

    [GeneratedRegex(@"`((?:src|docs|deploy|tests|native|scripts)/[^`\s]*)`")]
    private static partial Regex RepositoryPath();
}
