using System.Buffers.Binary;
using System.IO.Compression;
using ClipGuard.Stream.Lab.Data;

namespace ClipGuard.Stream.Lab.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FashionMnistLoadsBothSplitsWithBalancedClasses()
    {
        ImageSet train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true);
        ImageSet test = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        Assert.Equal((60_000, 28, 28), (train.Count, train.Width, train.Height));
        Assert.Equal(10_000, test.Count);
        // The published split has exactly 6,000 training and 1,000 test images per class.
        Assert.All(train.Labels.GroupBy(l => l), g => Assert.Equal(6_000, g.Count()));
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(1_000, g.Count()));
        Assert.Equal(10, train.Labels.Distinct().Count());
        // Real images: most pixels of an average image are background (0) and some are bright.
        Assert.InRange(train.Image(0).ToArray().Count(p => p == 0), 200, 700);
        Assert.Contains(train.Image(0).ToArray(), p => p > 200);
    }

    [Fact]
    public void IdxReaderReadsWhatWasWrittenGzippedOrNot()
    {
        byte[] data = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7))];
        string plain = Write("plain", Idx([2, 3, 4], data), gzip: false);
        string packed = Write("packed.gz", Idx([2, 3, 4], data), gzip: true);
        foreach (string path in new[] { plain, packed })
        {
            var (shape, read) = IdxReader.Read(path);
            Assert.Equal([2, 3, 4], shape);
            Assert.Equal(data, read);
        }
    }

    [Fact]
    public void IdxReaderRefusesTruncatedAndForeignFilesByName()
    {
        byte[] full = Idx([2, 3, 4], new byte[24]);
        string truncated = Write("short", full[..^5], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(truncated));
        Assert.Contains("short", e.Message, StringComparison.Ordinal);
        Assert.Contains("ends in the data", e.Message, StringComparison.Ordinal);

        byte[] floats = (byte[])full.Clone();
        floats[2] = 0x0D;
        Assert.Contains("not unsigned byte", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("f", floats, false))).Message, StringComparison.Ordinal);
        Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("png", [0x89, 0x50, 0x4E, 0x47, 1, 2], false))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDatasetNamesThePackage()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir, train: true));
        Assert.Contains("dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaptionsCoverEveryClassWithEveryTemplate()
    {
        IReadOnlyList<string> all = Captions.All(FashionMnist.ClassNames);
        Assert.Equal(FashionMnist.ClassNames.Count * Captions.Templates.Count, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal("a photo of a ankle boot.", all[9 * Captions.Templates.Count]);
    }

    private static byte[] Idx(int[] shape, byte[] data)
    {
        var bytes = new byte[4 + (4 * shape.Length) + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), shape[i]);
        }

        data.CopyTo(bytes, 4 + (4 * shape.Length));
        return bytes;
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        if (gzip)
        {
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else
        {
            file.Write(bytes);
        }

        return path;
    }
}
