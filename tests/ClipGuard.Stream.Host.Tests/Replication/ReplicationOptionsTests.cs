using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>`clipguard run` refuses bad replication, snapshot and index settings at start with one line naming them.</summary>
public sealed class ReplicationOptionsTests
{
    [Theory]
    [InlineData("Replicate needs a seed reference", "--replicate")]
    [InlineData("SnapshotInterval must be positive", "--snapshot-interval", "00:00:00")]
    [InlineData("'xx' at 'ClipGuard:Stream:SnapshotInterval'", "--snapshot-interval", "xx")]
    [InlineData("'Annoy' at 'ClipGuard:Index:Backend'", "--knn-backend", "Annoy")]
    [InlineData("HnswEfSearch must be at least 1", "--hnsw-ef-search", "0")]
    public async Task BadSettingsStopTheStartWithExitCodeTwo(string expected, params string[] args)
    {
        // No broker is needed: options are validated before anything connects.
        CliResult r = await CliProcess.RunAsync(["run", "--bootstrap", "127.0.0.1:9", .. args], TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("clipguard run: invalid configuration:", StringComparison.Ordinal));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
