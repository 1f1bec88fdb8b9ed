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
    [InlineData("SeedCaptions (--seed-captions) goes with a .npy SeedReference", "--seed-captions", "captions.npy")]
    public async Task BadSettingsStopTheStartWithExitCodeTwo(string expected, params string[] args)
    {
        // No broker is needed: options are validated before anything connects.
        CliResult r = await CliProcess.RunAsync(["run", "--bootstrap", "127.0.0.1:9", .. args], TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("clipguard run: invalid configuration:", StringComparison.Ordinal));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedCaptionsThatDoNotMatchTheSeedRowForRowStopTheStart()
    {
        string dir = Directory.CreateTempSubdirectory("clipguard-seed-captions-").FullName;
        try
        {
            string seed = Path.Combine(dir, "seed.npy"), captions = Path.Combine(dir, "captions.npy");
            ClipGuard.Stream.Core.IO.Npy.Write(seed, new ClipGuard.Stream.Core.Numerics.Matrix<float>(40, 8));
            ClipGuard.Stream.Core.IO.Npy.Write(captions, new ClipGuard.Stream.Core.Numerics.Matrix<float>(39, 8));

            CliResult r = await CliProcess.RunAsync(["run", "--bootstrap", "127.0.0.1:9", "--seed-reference", seed, "--seed-captions", captions], TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            Assert.Equal(2, r.ExitCode);
            Assert.Contains("must match row for row", r.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
