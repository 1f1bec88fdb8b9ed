using System.Buffers.Binary;
using System.IO.Compression;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// Fashion-MNIST (Zalando, MIT) as Debian's <c>dataset-fashion-mnist</c> installs it: gzipped IDX files of 28x28
/// grayscale images and their class labels.
/// </summary>
internal sealed class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;

    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    private FashionMnist(byte[] pixels, byte[] labels)
    {
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>The class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>Row-major images, <see cref="Side"/>² bytes each, 0 = black.</summary>
    public byte[] Pixels { get; }

    public byte[] Labels { get; }

    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Side * Side, Side * Side);

    /// <summary>Reads the 10,000-image test split (<c>t10k-*</c>), the smaller of the two.</summary>
    /// <exception cref="InvalidDataException">A file is not the IDX file it should be.</exception>
    public static FashionMnist LoadTestSplit(string directory)
    {
        byte[] images = ReadGzip(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"));
        byte[] labels = ReadGzip(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"));
        if (images.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(images) != ImagesMagic
            || BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8)) != Side || BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12)) != Side)
        {
            throw new InvalidDataException($"{directory}: t10k-images-idx3-ubyte.gz is not an IDX file of {Side}x{Side} images");
        }

        if (labels.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(labels) != LabelsMagic)
        {
            throw new InvalidDataException($"{directory}: t10k-labels-idx1-ubyte.gz is not an IDX label file");
        }

        int n = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        if (BinaryPrimitives.ReadInt32BigEndian(labels.AsSpan(4)) != n || images.Length != 16 + (n * Side * Side) || labels.Length != 8 + n)
        {
            throw new InvalidDataException($"{directory}: the image and label files disagree on the count or are truncated");
        }

        return new FashionMnist(images[16..], labels[8..]);
    }

    private static byte[] ReadGzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}
