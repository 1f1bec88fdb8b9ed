using System.Formats.Tar;
using System.Text;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>Broken members are counted per reason and reading goes on, in both layouts.</summary>
public sealed class ShardReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<TestSample> _good = PoisonedFashion.Create(6, 0);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_tar_with_broken_members_yields_the_good_samples_and_counts_each_reason()
    {
        string path = _temp.Sub("00000.tar");
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            WriteBroken(member => DatasetWriter.AddMember(tar, member.Name, member.Data));
        }

        var (samples, skips) = Read(DatasetLayout.Discover(path).Single());
        AssertBrokenCounted(samples, skips);
    }

    [Fact]
    public void A_files_folder_with_broken_members_yields_the_good_samples_and_counts_each_reason()
    {
        string dir = _temp.Sub("data/00000");
        Directory.CreateDirectory(dir);
        WriteBroken(member => File.WriteAllBytes(Path.Combine(dir, member.Name), member.Data));
        var shard = DatasetLayout.Discover(_temp.Sub("data")).Single();
        Assert.Equal(ShardKind.Files, shard.Kind);
        var (samples, skips) = Read(shard);
        AssertBrokenCounted(samples, skips);
    }

    [Fact]
    public void A_truncated_tar_keeps_the_samples_before_the_cut_and_counts_the_truncation()
    {
        string path = _temp.Sub("00000.tar");
        DatasetWriter.WriteTar(_temp.Sub("wds"), _good, _good.Count);
        byte[] whole = File.ReadAllBytes(Path.Combine(_temp.Sub("wds"), "00000.tar"));
        // Cut inside the fourth sample's image: three samples (each png + txt + json) come before it.
        int cut = OffsetOfMember(whole, _good[3].Key + ".png") + 700;
        File.WriteAllBytes(path, whole[..cut]);
        var (samples, skips) = Read(DatasetLayout.Discover(path).Single());
        Assert.Equal(_good.Take(3).Select(s => s.Key), samples.Select(s => s.Key));
        Assert.Equal(1, skips[SkipReason.TruncatedTar]);
        Assert.Equal(1, skips.Total);
    }

    [Fact]
    public async Task Captions_and_urls_missing_from_the_shard_come_from_the_parquet_sidecar()
    {
        string dir = _temp.Sub("data");
        DatasetWriter.WriteTar(dir, _good.Take(2), 2);
        // Rewrite the shard without its .txt members; the parquet beside it has the captions.
        string tarPath = Path.Combine(dir, "00000.tar");
        using (var file = File.Create(tarPath))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var s in _good.Take(2))
            {
                DatasetWriter.AddMember(tar, s.Key + ".png", s.Image);
            }
        }

        await Parquet.Serialization.ParquetSerializer.SerializeAsync(
            _good.Take(2).Select(s => new Img2DatasetParquetRow { Url = s.Url, Caption = s.Caption, Key = s.Key, Status = "success", Width = 28 }),
            Path.Combine(dir, "00000.parquet"), cancellationToken: TestContext.Current.CancellationToken);
        var (samples, skips) = Read(DatasetLayout.Discover(dir).Single());
        Assert.Equal(0, skips.Total);
        Assert.Equal(_good.Take(2).Select(s => (s.Key, s.Caption, s.Url)), samples.Select(s => (s.Key, s.Caption, s.Url!)));
    }

    [Theory]
    [InlineData("PAR1", 0xFFFFFFF0u, "PAR1", "footer length")] // Parquet.Net would allocate this (fuzzing: OutOfMemoryException)
    [InlineData("PAR1", 0u, "PAR1", "footer length")]
    [InlineData("PAR1", 8u, "PARX", "trailing PAR1")]
    [InlineData("XXXX", 8u, "PAR1", "leading PAR1")]
    public async Task A_parquet_sidecar_with_a_broken_frame_is_refused_before_parsing(string head, uint footer, string tail, string problem)
    {
        string path = _temp.Sub("broken.parquet");
        var bytes = new byte[64];
        Encoding.ASCII.GetBytes(head).CopyTo(bytes, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(56), footer);
        Encoding.ASCII.GetBytes(tail).CopyTo(bytes, 60);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ParquetMetadata.ReadAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        var shard = new InputShard(0, "s", _temp.Sub("s.tar"), ShardKind.Tar, 0, path);
        Assert.Null(await ParquetMetadata.ForShardAsync(shard, NullLogger.Instance, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Member_names_split_at_the_first_dot_of_the_file_name()
    {
        Assert.Equal(("dir.v2/000123", "seg.png"), MemberNames.Split("dir.v2/000123.seg.PNG"));
        Assert.Equal(("noext", ""), MemberNames.Split("noext"));
        Assert.Equal(MemberKind.Image, MemberNames.KindOf("a/1.jpeg"));
        Assert.Equal(MemberKind.Unknown, MemberNames.KindOf("a/1.bmp"));
    }

    [Fact]
    public void A_missing_input_or_an_empty_folder_is_bad_input()
    {
        Assert.Throws<OfflineInputException>(() => DatasetLayout.Discover(_temp.Sub("nope")));
        Directory.CreateDirectory(_temp.Sub("empty"));
        Assert.Contains("no shards found", Assert.Throws<OfflineInputException>(() => DatasetLayout.Discover(_temp.Sub("empty"))).Message, StringComparison.Ordinal);
    }

    // Six good samples (0..5) with: 1's image replaced by PNG bytes under .jpg, 2 without caption, an orphan caption,
    // an unknown .bmp member next to 3, a second image for 4, and broken JSON for 5 (still a good sample).
    private void WriteBroken(Action<(string Name, byte[] Data)> write)
    {
        for (int i = 0; i < _good.Count; i++)
        {
            var s = _good[i];
            foreach (var m in DatasetWriter.Members(s))
            {
                if (i == 1 && m.Name.EndsWith(".png", StringComparison.Ordinal))
                {
                    write(($"{s.Key}.jpg", m.Data));
                }
                else if (i == 2 && m.Name.EndsWith(".txt", StringComparison.Ordinal))
                {
                    write(($"{s.Key}.json", Encoding.UTF8.GetBytes("{\"url\": \"https://x.example/2\"}")));
                }
                else if (!(i == 2 && m.Name.EndsWith(".json", StringComparison.Ordinal)) && !(i == 5 && m.Name.EndsWith(".json", StringComparison.Ordinal)))
                {
                    write(m);
                }
            }

            if (i == 3)
            {
                write(($"{s.Key}.bmp", [1, 2, 3]));
            }

            if (i == 4)
            {
                write(($"{s.Key}.webp", s.Image));
            }

            if (i == 5)
            {
                write(($"{s.Key}.json", Encoding.UTF8.GetBytes("{not json")));
            }
        }

        write(("999999999.txt", Encoding.UTF8.GetBytes("an orphan caption")));
    }

    private void AssertBrokenCounted(List<DatasetSample> samples, SkipCounts skips)
    {
        Assert.Equal(new[] { _good[0].Key, _good[3].Key, _good[4].Key, _good[5].Key }, samples.Select(s => s.Key));
        Assert.Equal(_good[5].Caption, samples[3].Caption);
        Assert.Equal(1, skips[SkipReason.WrongExtension]);
        Assert.Equal(1, skips[SkipReason.MissingCaption]);
        Assert.Equal(1, skips[SkipReason.MissingImage]);
        Assert.Equal(1, skips[SkipReason.UnknownMember]);
        Assert.Equal(1, skips[SkipReason.DuplicateMember]);
        Assert.Equal(1, skips[SkipReason.BadJson]);
        Assert.Equal(6, skips.Total);
    }

    private static (List<DatasetSample> Samples, SkipCounts Skips) Read(InputShard shard)
    {
        var skips = new SkipCounts();
        var parquet = shard.Parquet is null ? null : ParquetMetadata.ReadAsync(shard.Parquet).GetAwaiter().GetResult();
        var reader = new ShardReader(shard, new SampleAssembler(shard.Name, skips, NullLogger.Instance, parquet), 1 << 20);
        return (reader.Read().ToList(), skips);
    }

    private static int OffsetOfMember(byte[] tar, string name)
    {
        int at = tar.AsSpan().IndexOf(Encoding.ASCII.GetBytes(name + "\0"));
        Assert.True(at >= 0, $"{name} not in the tar");
        return at;
    }
}
