using System.CommandLine;
using ClipGuard.Stream.Cli.Commands;
using ClipGuard.Stream.Cli.Sentinel;
using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Cli.Tests.Sentinel;

public sealed class SentinelLabSettingsTests
{
    [Fact]
    public void EverySentinelRoundTrainsTheArchitectureOfTheStartingModel()
    {
        // The rounds run `clipguard sentinel` as a child process: the flags it is given must read back as the same spec
        // (a round at 64 px behind a 32-px starting model would measure another model).
        var spec = new SmallClipSpec { ImageSize = 32, PatchSize = 4, VisionWidth = 96, VisionLayers = 3, HeadWidth = 96, TextWidth = 64, TextLayers = 1, ContextLength = 24, EmbedDim = 48 };
        var options = new SmallClipOptions();
        var command = new RootCommand();
        foreach (Option option in options.All)
        {
            command.Options.Add(option);
        }

        ParseResult parsed = command.Parse(SentinelLabRunner.ModelArgs(spec));

        Assert.Empty(parsed.Errors);
        Assert.Equal(spec, options.Read(parsed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void APatchOutsideTheCanvasIsRefused(int patch)
    {
        var settings = new SentinelLabSettings("out", "data") { PatchSize = patch };

        Assert.Contains("--patch-size", settings.Error(), StringComparison.Ordinal);
        Assert.Null((settings with { PatchSize = 16 }).Error());
    }

    [Fact]
    public void AKeptRoundIsReusedOnlyByARunThatWouldTrainItOnTheSameWindowWithTheSameRecipe()
    {
        var settings = new SentinelLabSettings("out", "data") { Seed = 2, Scenes = 100_000, Poisons = 100, Epochs = 10 };

        Assert.Equal(settings.RoundKey(1), (settings with { Out = "elsewhere", Chunk = 500, Threads = 1, ReuseRounds = true }).RoundKey(1));
        Assert.Matches("^r1-[0-9a-f]{12}$", settings.RoundKey(1));
        string[] others =
        [
            settings.RoundKey(2),
            (settings with { Seed = 3 }).RoundKey(1),
            (settings with { Poisons = 101 }).RoundKey(1),
            (settings with { PatchSize = 16 }).RoundKey(1),
            (settings with { FitSeedShare = 0 }).RoundKey(1),
            (settings with { TrainOnSeed = true }).RoundKey(1),
            (settings with { Epochs = 3 }).RoundKey(1),
            (settings with { Rounds = [0.5, 1.0] }).RoundKey(1),
            (settings with { SeedSize = 24_000 }).RoundKey(1),
            (settings with { Model = settings.Model with { ImageSize = 32 } }).RoundKey(1),
        ];
        Assert.Equal(others.Length, others.Append(settings.RoundKey(1)).Distinct().Count() - 1);
    }
}
