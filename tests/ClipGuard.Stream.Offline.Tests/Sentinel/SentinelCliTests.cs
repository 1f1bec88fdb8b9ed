using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Offline.Tests.Training;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Offline.Tests.Sentinel;

/// <summary>`clipguard sentinel` as an operator runs it, on a window laid out as the service writes it (folders of KEY.jpg + KEY.txt).</summary>
public sealed class SentinelCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_round_publishes_a_complete_verified_checkpoint_that_loads_under_the_label_its_manifest_names()
    {
        var ct = TestContext.Current.CancellationToken;
        string dir = _temp.Sub("sentinel");
        DatasetWriter.WriteFiles(Path.Combine(dir, "window"), PoisonedFashion.Create(200, 0), 100);

        var result = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--once", "--min-pairs", "10", .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);

        Assert.True(result.ExitCode == 0, result.StandardError);
        var layout = new SentinelLayout(dir);
        SentinelModel model = Assert.Single(layout.ReadyModels());
        Assert.Equal(1, model.Version);
        Assert.Equal(layout.FolderOf(1), model.Directory);
        Assert.Equal(200, model.Manifest.WindowPairs);
        Assert.Equal(2, model.Manifest.Segments);
        Assert.Equal("00001", model.Manifest.LastSegment);
        model.Verify();
        Assert.Contains($"v1 {model.Manifest.ModelVersion} published", result.StandardOutput, StringComparison.Ordinal);
        using (var embedder = ClipEmbedder.Load(ModelSource.FromDirectory(model.Directory)))
        {
            Assert.Equal(model.Manifest.ModelVersion, $"{embedder.ModelId}@{embedder.Version}");
        }

        // Nothing new in the window yet; a third segment makes its pairs the next round's news.
        Assert.Equal(0, layout.PairsAfter(model.Manifest.LastSegment));
        DatasetWriter.WriteFiles(_temp.Sub("more"), PoisonedFashion.Create(50, 0), 100);
        Directory.Move(Path.Combine(_temp.Sub("more"), "00000"), Path.Combine(dir, "window", "00002"));
        Assert.Equal(50, layout.PairsAfter(model.Manifest.LastSegment));

        // A damaged checkpoint is refused by its hash.
        File.AppendAllText(model.WeightsPath, "x");
        Assert.Throws<OfflineInputException>(model.Verify);
    }

    [Fact]
    public async Task A_round_trains_on_the_seeds_fitting_half_and_leaves_the_calibrating_half_out_unless_told_to_train_on_it()
    {
        var ct = TestContext.Current.CancellationToken;
        string dir = _temp.Sub("sentinel");
        string window = Path.Combine(dir, "window");
        DatasetWriter.WriteFiles(window, PoisonedFashion.Create(120, 0), 60);
        DatasetWriter.WriteFiles(_temp.Sub("seed"), PoisonedFashion.Create(40, 0), 100);
        Directory.Move(Path.Combine(_temp.Sub("seed"), "00000"), Path.Combine(window, SentinelLayout.SeedFolderName));
        DatasetWriter.WriteFiles(_temp.Sub("seed-fit"), PoisonedFashion.Create(30, 0), 100);
        Directory.Move(Path.Combine(_temp.Sub("seed-fit"), "00000"), Path.Combine(window, SentinelLayout.SeedFitFolderName));
        var layout = new SentinelLayout(dir);
        Assert.Equal(120, layout.PairsAfter(null));

        var plain = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--once", "--min-pairs", "10", .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);
        Assert.True(plain.ExitCode == 0, plain.StandardError);
        Assert.Equal(150, layout.Newest()!.Manifest.WindowPairs);
        Assert.Equal(3, layout.Newest()!.Manifest.Segments);

        var withSeed = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--once", "--train-on-seed", "--min-pairs", "10", .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);
        Assert.True(withSeed.ExitCode == 0, withSeed.StandardError);
        Assert.Equal(2, layout.Newest()!.Version);
        Assert.Equal(190, layout.Newest()!.Manifest.WindowPairs);
        Assert.Equal(4, layout.Newest()!.Manifest.Segments);
        Assert.Equal("00001", layout.Newest()!.Manifest.LastSegment);
    }

    [Fact]
    public async Task Only_the_lock_holder_trains_and_a_window_too_small_is_refused_with_its_size()
    {
        var ct = TestContext.Current.CancellationToken;
        string dir = _temp.Sub("sentinel");
        DatasetWriter.WriteFiles(Path.Combine(dir, "window"), PoisonedFashion.Create(30, 0), 100);
        var layout = new SentinelLayout(dir);

        using (SentinelLock? held = SentinelLock.TryAcquire(layout))
        {
            Assert.NotNull(held);
            var locked = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--once", "--min-pairs", "10", .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);
            Assert.Equal(3, locked.ExitCode);
            Assert.Contains("another trainer holds", locked.StandardError, StringComparison.Ordinal);
        }

        var small = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--once", "--min-pairs", "1000", .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);
        Assert.Equal(2, small.ExitCode);
        Assert.Contains("30 pairs in 1 closed segments, a round needs at least 1000", small.StandardError, StringComparison.Ordinal);
        Assert.Empty(layout.ReadyModels());

        var bad = await CliProcess.RunAsync(["sentinel", "--dir", dir, "--every", "0"], Timeout, ct);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--every must be at least 1", bad.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(layout.Models));

        // A folder without its manifest (a round that died before publishing) is not a checkpoint.
        Directory.CreateDirectory(layout.FolderOf(7));
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(layout.FolderOf(8)).FullName, SentinelModelManifest.FileName), "{ torn");
        Assert.Empty(layout.ReadyModels());
    }
}
