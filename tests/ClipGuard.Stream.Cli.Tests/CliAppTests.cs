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
    [InlineData("no-such-verb")]
    public void BadCommandLinesExitWithTwo(params string[] args) => Assert.Equal(2, CliApp.Run(args));
}
