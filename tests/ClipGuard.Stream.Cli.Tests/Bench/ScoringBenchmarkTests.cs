using System.Globalization;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Cli.Tests.Bench;

/// <summary>
/// `clipguard bench scoring` on a small reference, as its own process: one row whose updates left the maintained state
/// exact, with our k-NN rate, FAISS flat's rate on the same data and the sgemm yardstick the table names.
/// </summary>
public sealed class ScoringBenchmarkTests
{
    [Fact]
    public async Task ARowReportsExactUpdatesAndBothKnnRatesAgainstTheNamedYardstick()
    {
        CliResult r = await CliProcess.RunAsync(
            ["bench", "scoring", "--sizes", "2000", "--dim", "64", "--queries", "300", "--updates", "40", "--threads", "2", "--no-sklearn"],
            TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        Assert.True(r.ExitCode == 0, $"bench scoring exited {r.ExitCode}: {r.StandardError}");

        string[] lines = r.StandardOutput.Split('\n');
        string[] header = Cells(lines.Single(l => l.StartsWith("| reference size |", StringComparison.Ordinal)));
        string[] row = Cells(lines.Single(l => l.StartsWith("| 2,000 |", StringComparison.Ordinal)));
        Assert.Equal(header.Length, row.Length);
        string Cell(string column) => row[Array.IndexOf(header, column)];

        Assert.StartsWith("exact (0 k-NN mismatches", Cell("drift after updates"), StringComparison.Ordinal);
        Assert.True(double.Parse(Cell("novelty scoring queries/s"), CultureInfo.InvariantCulture) > 0);
        Assert.True(double.Parse(Cell("k-NN GFLOP/s"), CultureInfo.InvariantCulture) > 0);

        // The project's scripts install FAISS with the CLI: its column is a rate, not "n/a".
        Assert.True(double.Parse(Cell("FAISS flat k-NN GFLOP/s"), CultureInfo.InvariantCulture) > 0, r.StandardError);
        Assert.Contains(lines, l => l.StartsWith("sgemm yardstick: OpenBLAS cblas_sgemm", StringComparison.Ordinal) && l.Contains("kernel", StringComparison.Ordinal));
    }

    private static string[] Cells(string line) => line.Split('|', StringSplitOptions.TrimEntries)[1..^1];
}
