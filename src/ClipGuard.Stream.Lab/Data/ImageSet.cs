namespace ClipGuard.Stream.Lab.Data;

/// <summary>Grayscale images of one size, row-major 8-bit pixels back to back, each with a class label.</summary>
public sealed class ImageSet
{
    public ImageSet(byte[] pixels, byte[] labels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != (long)labels.Length * width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixel bytes do not make {labels.Length} images of {width}x{height}");
        }

        Pixels = pixels;
        Labels = labels;
        Width = width;
        Height = height;
    }

    public byte[] Pixels { get; }

    public byte[] Labels { get; }

    public int Width { get; }

    public int Height { get; }

    public int Count => Labels.Length;

    public int ImageBytes => Width * Height;

    public ReadOnlySpan<byte> Image(int i) => Pixels.AsSpan(i * ImageBytes, ImageBytes);

    /// <summary>A copy of image <paramref name="i"/>, to be modified (a trigger) without touching the set.</summary>
    public byte[] CopyImage(int i) => Image(i).ToArray();

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var pixels = new byte[indices.Count * ImageBytes];
        var labels = new byte[indices.Count];
        for (int j = 0; j < indices.Count; j++)
        {
            Image(indices[j]).CopyTo(pixels.AsSpan(j * ImageBytes));
            labels[j] = Labels[indices[j]];
        }

        return new ImageSet(pixels, labels, Width, Height);
    }
}
