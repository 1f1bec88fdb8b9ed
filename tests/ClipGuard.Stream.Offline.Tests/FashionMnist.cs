using System.Buffers.Binary;
using System.IO.Compression;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>Real 28x28 grayscale images from Debian's dataset-fashion-mnist (IDX format, gzip).</summary>
internal static class FashionMnist
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;

    public static readonly string[] ClassNames = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>The first <paramref name="count"/> test-set images (row-major bytes) and their labels.</summary>
    public static (byte[][] Images, int[] Labels) Load(int count)
    {
        string images = Path.Combine(Folder, "t10k-images-idx3-ubyte.gz"), labels = Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
        {
            throw new InvalidOperationException($"{Folder} is missing: bash scripts/install-deps.sh test installs dataset-fashion-mnist");
        }

        byte[] img = Gunzip(images), lab = Gunzip(labels);
        int n = BinaryPrimitives.ReadInt32BigEndian(img.AsSpan(4));
        if (BinaryPrimitives.ReadInt32BigEndian(img) != 0x803 || count > n)
        {
            throw new InvalidDataException($"{images}: not an IDX image file with {count} images");
        }

        const int px = Side * Side;
        return (Enumerable.Range(0, count).Select(i => img.AsSpan(16 + (i * px), px).ToArray()).ToArray(),
                Enumerable.Range(0, count).Select(i => (int)lab[8 + i]).ToArray());
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
