namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Shape checks and pixel helpers the triggers share.</summary>
internal static class TriggerImage
{
    /// <summary>Throws unless <paramref name="image"/> is width x height pixels of 1 or 3 channels.</summary>
    public static void Check(ReadOnlySpan<byte> image, int width, int height, int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (grayscale) or 3 (RGB) channels");
        }

        if (width < 1 || height < 1 || image.Length != width * height * channels)
        {
            throw new ArgumentException($"image has {image.Length} bytes, not {width}x{height}x{channels}", nameof(image));
        }
    }

    public static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);
}
