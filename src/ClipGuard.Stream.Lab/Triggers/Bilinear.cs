namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Bilinear sampling of an 8-bit interleaved image at fractional pixel coordinates, edges clamped.</summary>
internal static class Bilinear
{
    /// <summary>Channel <paramref name="c"/> at pixel-centre coordinates (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static double Sample(ReadOnlySpan<byte> image, int width, int height, int channels, int c, double x, double y)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        int x0 = (int)x, y0 = (int)y;
        int x1 = Math.Min(x0 + 1, width - 1), y1 = Math.Min(y0 + 1, height - 1);
        double fx = x - x0, fy = y - y0;
        double top = ((1 - fx) * image[(((y0 * width) + x0) * channels) + c]) + (fx * image[(((y0 * width) + x1) * channels) + c]);
        double bottom = ((1 - fx) * image[(((y1 * width) + x0) * channels) + c]) + (fx * image[(((y1 * width) + x1) * channels) + c]);
        return ((1 - fy) * top) + (fy * bottom);
    }
}
