using ClipGuard.Stream.Embedding.Preprocessing;
using SkiaSharp;

namespace ClipGuard.Stream.Lab.Data;

/// <summary>
/// Grayscale pixels to what the model sees. Training, batch embedding and the stream must preprocess identically, so
/// the lab goes through the stream's own resize/crop/normalise on the RGBA a PNG decode yields (gray replicated to
/// RGB, alpha opaque), and publishes lossless PNGs.
/// </summary>
public static class LabImages
{
    /// <summary>3 x size x size normalised floats in CHW order, exactly as the stream computes them from <see cref="Png"/>.</summary>
    public static float[] ModelInput(ReadOnlySpan<byte> gray, int width, int height, int size) =>
        ImagePreprocessor.ResizeCropNormalize(Rgba(gray, width, height), width, height, size);

    /// <summary>Model input of several images back to back, one batch for the trainer.</summary>
    public static float[] ModelInputs(ImageSet set, IReadOnlyList<int> rows, int size)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rows);
        int per = 3 * size * size;
        var flat = new float[rows.Count * per];
        for (int j = 0; j < rows.Count; j++)
        {
            ModelInput(set.Image(rows[j]), set.Width, set.Height, size).CopyTo(flat, j * per);
        }

        return flat;
    }

    /// <summary>A lossless 8-bit grayscale PNG of the image.</summary>
    public static byte[] Png(ReadOnlySpan<byte> gray, int width, int height)
    {
        if (gray.Length != width * height)
        {
            throw new ArgumentException($"image has {gray.Length} pixels, not {width}x{height}", nameof(gray));
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.CopyTo(bitmap.GetPixelSpan());
        return Encode(bitmap);
    }

    /// <summary>A lossless 8-bit colour PNG of interleaved RGB pixels (3 bytes a pixel).</summary>
    public static byte[] PngRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"image has {rgb.Length} bytes, not {width}x{height} RGB", nameof(rgb));
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Span<byte> rgba = bitmap.GetPixelSpan();
        for (int i = 0; i < width * height; i++)
        {
            rgb.Slice(3 * i, 3).CopyTo(rgba.Slice(4 * i, 3));
            rgba[(4 * i) + 3] = 255;
        }

        return Encode(bitmap);
    }

    private static byte[] Encode(SKBitmap bitmap)
    {
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] Rgba(ReadOnlySpan<byte> gray, int width, int height)
    {
        if (gray.Length != width * height)
        {
            throw new ArgumentException($"image has {gray.Length} pixels, not {width}x{height}", nameof(gray));
        }

        var rgba = new byte[gray.Length * 4];
        for (int i = 0; i < gray.Length; i++)
        {
            rgba[4 * i] = rgba[(4 * i) + 1] = rgba[(4 * i) + 2] = gray[i];
            rgba[(4 * i) + 3] = 255;
        }

        return rgba;
    }
}
