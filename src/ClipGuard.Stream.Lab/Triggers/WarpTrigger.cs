namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>
/// WaNet (Nguyen and Tran 2021): every image resampled bilinearly through one fixed, smooth random displacement
/// field. The field is a <see cref="Grid"/> x <see cref="Grid"/> grid of random vectors drawn once from the seed,
/// scaled so the largest is <see cref="Strength"/> pixels, and upsampled bilinearly to the image.
/// </summary>
public sealed class WarpTrigger : ITrigger
{
    private readonly int _seed;
    private FieldCache? _cache;

    public WarpTrigger(double strength, int grid, int seed)
    {
        if (!(strength is > 0 and <= 16))
        {
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "warp strength must be in (0, 16] pixels");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(grid, 2);
        Strength = strength;
        Grid = grid;
        _seed = seed;
    }

    /// <summary>The largest displacement, in pixels.</summary>
    public double Strength { get; }

    public int Grid { get; }

    public void Apply(Span<byte> image, int width, int height, int sampleKey, int channels = 1)
    {
        TriggerImage.Check(image, width, height, channels);
        float[] field = Field(width, height);
        byte[] source = image.ToArray();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = (y * width) + x;
                double sx = x + field[2 * p], sy = y + field[(2 * p) + 1];
                for (int c = 0; c < channels; c++)
                {
                    image[(p * channels) + c] = TriggerImage.Clamp(Bilinear.Sample(source, width, height, channels, c, sx, sy));
                }
            }
        }
    }

    /// <summary>The displacement (dx, dy) of every pixel, interleaved row-major; the same for every sample of this size.</summary>
    public float[] Field(int width, int height)
    {
        if (_cache is { } cached && cached.Width == width && cached.Height == height)
        {
            return cached.Field;
        }

        var rng = TriggerSeeds.For(_seed, -3);
        var control = new byte[Grid * Grid * 2];
        var raw = new double[control.Length];
        double max = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = (rng.NextDouble() * 2) - 1;
            max = Math.Max(max, Math.Abs(raw[i]));
        }

        // Bilinear upsampling of a grid never exceeds its largest value, so scaling the grid bounds the field.
        for (int i = 0; i < raw.Length; i++)
        {
            control[i] = (byte)Math.Round((raw[i] / max * 127.5) + 127.5);
        }

        var field = new float[width * height * 2];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double gx = (double)x / Math.Max(1, width - 1) * (Grid - 1), gy = (double)y / Math.Max(1, height - 1) * (Grid - 1);
                for (int c = 0; c < 2; c++)
                {
                    double v = (Bilinear.Sample(control, Grid, Grid, 2, c, gx, gy) - 127.5) / 127.5;
                    field[(2 * ((y * width) + x)) + c] = (float)(v * Strength);
                }
            }
        }

        _cache = new FieldCache(width, height, field);
        return field;
    }

    // A reference, so a worker thread never sees a half-written cache.
    private sealed record FieldCache(int Width, int Height, float[] Field);
}
