using ClipGuard.Stream.Fuzzing;

namespace ClipGuard.Stream.Fuzzing.Tests;

/// <summary>
/// Replays the committed fuzzing corpus through the same targets AFL++ runs: the seeds (valid inputs and what the
/// fuzzer kept as interesting) and regressions/ (inputs that once crashed a parser, each fixed). A target throws only
/// on a finding, so each replay passing means no input of the corpus reaches an undocumented failure.
/// </summary>
public sealed class FuzzCorpusTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            foreach (var target in FuzzTargets.All)
            {
                string dir = Path.Combine(AppContext.BaseDirectory, folder, target.Name);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (string file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                {
                    data.Add(target.Name, Path.GetRelativePath(AppContext.BaseDirectory, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_is_parsed_or_rejected_with_the_documented_error(string target, string file) =>
        FuzzTargets.Get(target).Run(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, file)));

    [Fact]
    public void Every_target_has_a_committed_seed_corpus()
    {
        foreach (var target in FuzzTargets.All)
        {
            string dir = Path.Combine(AppContext.BaseDirectory, "corpus", target.Name);
            Assert.True(Directory.Exists(dir) && Directory.GetFiles(dir).Length > 0, $"no corpus for {target.Name}");
        }
    }

    [Theory]
    [InlineData("envelope")]
    [InlineData("npy")]
    [InlineData("image")]
    [InlineData("snapshot")]
    [InlineData("reference-log")]
    public void Garbage_is_rejected_not_crashed(string target)
    {
        var rng = new Random(17);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[rng.Next(0, 300)];
            rng.NextBytes(bytes);
            FuzzTargets.Get(target).Run(bytes);
        }
    }

    [Fact]
    public void Only_the_documented_rejection_with_a_reason_is_swallowed()
    {
        FuzzTargets.Rejects<FormatException>(() => throw new FormatException("record 'x' does not start with CGRL"));
        Assert.Throws<IndexOutOfRangeException>(() => FuzzTargets.Rejects<FormatException>(() => throw new IndexOutOfRangeException()));
        Assert.Throws<FormatException>(() => FuzzTargets.Rejects<FormatException>(() => throw new FormatException(" ")));
        Assert.Throws<ArgumentException>(() => FuzzTargets.Get("no-such"));
    }
}
