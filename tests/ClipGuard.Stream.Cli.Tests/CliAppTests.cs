namespace ClipGuard.Stream.Cli.Tests;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("scan", "--embeddings", "x.npy", "--out", "o.csv", "--detector", "isolation-forest")]
    [InlineData("scan", "--embeddings", "x.npy", "--out", "o.csv", "--metric", "manhattan")]
    [InlineData("scan", "--embeddings", "x.npy", "--out", "o.csv", "--k", "0")]
    [InlineData("scan", "--out", "o.csv")]
    [InlineData("bench", "ann", "--backends", "ivfsimd", "annoy")]
    [InlineData("bench", "ann", "--usearch-m", "1")]
    [InlineData("bench", "ann", "--ivf-probes", "0")]
    [InlineData("bench", "ann", "--usearch-ef", "64", "0")]
    [InlineData("bench", "ann", "--usearch-storage", "Int4")]
    [InlineData("bench", "embed", "--device", "tpu")]
    [InlineData("lab", "epochs", "--train", "/nonexistent/train", "--track", "/nonexistent/track", "--out", "e.md")]
    [InlineData("lab", "counts", "--run", "/nonexistent/run", "--out", "c.md")]
    [InlineData("bench", "embed", "--device", "cuda:x")]
    [InlineData("lab", "replay", "--embeddings", "/nonexistent/emb", "--labels", "/nonexistent/labels.csv", "--out", "r.md")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--false-quarantine-rate", "0")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--rule", "median")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--seed-size", "4")]
    [InlineData("lab", "replay", "--embeddings", "e", "f", "--labels", "l.csv", "m.csv", "n.csv", "--out", "r.md")]
    [InlineData("lab", "budget", "--budget-confidence", "1")]
    [InlineData("lab", "budget", "--sizes", "0")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--poisons", "-1")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--poisons", "5", "--clean-only")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--budget-confidence", "0.9", "--fdr", "0.1")]
    [InlineData("run", "--budget-confidence", "2", "--bootstrap", "127.0.0.1:1")]
    [InlineData("run", "--calibration-pool", "0", "--bootstrap", "127.0.0.1:1")]
    [InlineData("run", "--calibration-share", "1", "--bootstrap", "127.0.0.1:1")]
    [InlineData("run", "--guard-size", "3", "--bootstrap", "127.0.0.1:1")]
    [InlineData("run", "--campaign-founding-level", "0.2", "--bootstrap", "127.0.0.1:1")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--founding-level", "0")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--guard-size", "-1")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--through-service", "--limit", "-1")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--through-service", "--partitions", "1000")]
    [InlineData("lab", "replay", "--embeddings", "e", "--labels", "l.csv", "--out", "r.md", "--through-service", "--verdicts")]
    [InlineData("no-such-verb")]
    public void BadCommandLinesExitWithTwo(params string[] args) => Assert.Equal(2, CliApp.Run(args));

    [Fact]
    public void HeldOutScenesCanCarryAnotherSetsTriggerPattern()
    {
        Assert.SkipUnless(Directory.Exists(ClipGuard.Stream.Lab.Data.FashionMnist.DefaultDirectory), "dataset-fashion-mnist is not installed (bash scripts/install-deps.sh test)");
        string dir = Directory.CreateTempSubdirectory("clipguard-scenes-").FullName;
        try
        {
            string Generate(string name, params string[] more) =>
                CliApp.Run(["lab", "scenes", "--out", Path.Combine(dir, name), "--scenes", "40", "--poisons", "2", "--trigger", "blend", .. more]) == 0
                    ? ClipGuard.Stream.Lab.Scenes.SceneManifest.Read(Path.Combine(dir, name)).Trigger
                    : throw new InvalidOperationException($"lab scenes {name} failed");

            string trained = Generate("trained", "--seed", "3");
            string heldOut = Generate("held-out", "--seed", "103", "--trigger-seed", "3");
            string own = Generate("own", "--seed", "103");

            Assert.Equal(trained, heldOut);
            Assert.Contains("(seed 3)", heldOut, StringComparison.Ordinal);
            Assert.Contains("(seed 103)", own, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
