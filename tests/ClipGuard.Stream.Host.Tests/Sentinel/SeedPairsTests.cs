using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Offline.Sentinel;

namespace ClipGuard.Stream.Host.Tests.Sentinel;

public sealed class SeedPairsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-seed-pairs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheSeedIsSplitByIdIntoAHalfSentinelsTrainOnAndAHalfThatCalibratesArrivals()
    {
        var layout = new SentinelLayout(Path.Combine(_dir, "a"));
        var pairs = Enumerable.Range(0, 2000).Select(i => ($"seed-{i}", new byte[] { 0xFF, 0xD8, 0xFF, (byte)i }, $"caption {i}")).ToList();
        var seed = new SeedPairs(layout);
        Assert.False(seed.Exists);

        seed.Write(pairs, fitShare: 0.3);

        Assert.True(seed.Exists);
        IReadOnlyList<string> fit = seed.FittingIds(), calibrating = seed.CalibratingIds();
        Assert.InRange(fit.Count, 520, 680);
        Assert.Equal(2000, fit.Count + calibrating.Count);
        Assert.Empty(fit.Intersect(calibrating));
        Assert.Equal(calibrating.Concat(fit), seed.Ids());
        Assert.Equal(fit.Count, Directory.EnumerateFiles(layout.SeedFitFolder, "*.txt").Count());
        Assert.Equal(calibrating.Count, Directory.EnumerateFiles(layout.SeedFolder, "*.txt").Count());
        foreach (string id in new[] { fit[0], calibrating[0] })
        {
            (byte[] image, string caption) = seed.Read(id)!.Value;
            int i = int.Parse(id.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(pairs[i].Item2, image);
            Assert.Equal($"caption {i}", caption);
        }

        Assert.Null(seed.Read("not-a-seed-pair"));

        // The split depends on the id alone: another directory, the same halves; a trainer reads the halves as folders.
        var again = new SeedPairs(new SentinelLayout(Path.Combine(_dir, "b")));
        again.Write(pairs, fitShare: 0.3);
        Assert.Equal(fit, again.FittingIds());
        Assert.Equal([layout.SeedFitFolder, layout.SeedFolder], layout.TrainingSegments(includeSeed: true));
        Assert.Equal([layout.SeedFitFolder], layout.TrainingSegments(includeSeed: false));
        Assert.Empty(layout.StreamSegments());
    }

    [Fact]
    public void WithoutAFittingShareTheWholeSeedCalibratesAndWritingAgainReplacesBothHalves()
    {
        var layout = new SentinelLayout(_dir);
        var seed = new SeedPairs(layout);
        seed.Write([.. Enumerable.Range(0, 100).Select(i => ($"s{i}", new byte[] { 0xFF, 0xD8, 0xFF }, "c"))], fitShare: 0.5);
        Assert.NotEmpty(seed.FittingIds());

        seed.Write([.. Enumerable.Range(0, 50).Select(i => ($"t{i}", new byte[] { 0xFF, 0xD8, 0xFF }, "c"))]);

        Assert.Empty(seed.FittingIds());
        Assert.Equal(50, seed.CalibratingIds().Count);
        Assert.Null(seed.Read("s0"));
        Assert.False(Directory.Exists(layout.SeedFitFolder));
        Assert.Empty(layout.TrainingSegments(includeSeed: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => seed.Write([], fitShare: 1));
    }
}
