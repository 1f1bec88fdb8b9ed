namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>
/// A square patch of <see cref="Size"/> pixels stamped over the image (Gu et al., BadNets): its "on" cells take
/// <see cref="Color"/> (white unless set), its "off" cells are black.
/// </summary>
public sealed class BadNetsTrigger : ITrigger
{
    private readonly bool[] _on;

    public BadNetsTrigger(int size, PatchPosition position, PatchPattern pattern, int seed, Rgb? color = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        Position = position;
        Seed = seed;
        Color = color ?? Rgb.White;
        _on = new bool[size * size];
        var rng = TriggerSeeds.For(seed, -1);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                _on[y * size + x] = pattern switch
                {
                    PatchPattern.Checkerboard => (x + y) % 2 == 0,
                    PatchPattern.White => true,
                    PatchPattern.Random => rng.Next(2) != 0,
                    _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, null),
                };
            }
        }
    }

    public int Size { get; }

    public PatchPosition Position { get; }

    public int Seed { get; }

    public Rgb Color { get; }

    public void Apply(Span<byte> image, int width, int height, int sampleKey, int channels = 1)
    {
        TriggerImage.Check(image, width, height, channels);
        if (Size > width || Size > height)
        {
            throw new ArgumentException($"a {Size}-pixel patch does not fit a {width}x{height} image");
        }

        var (left, top) = Corner(width, height, sampleKey);
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                bool on = _on[y * Size + x];
                int at = (((top + y) * width) + left + x) * channels;
                for (int c = 0; c < channels; c++)
                {
                    image[at + c] = on ? Color.Channel(c, channels) : (byte)0;
                }
            }
        }
    }

    /// <summary>The patch's top-left pixel for this sample.</summary>
    public (int Left, int Top) Corner(int width, int height, int sampleKey)
    {
        if (Position == PatchPosition.Fixed)
        {
            return (width - Size, height - Size);
        }

        var rng = TriggerSeeds.For(Seed, sampleKey);
        return (rng.Next(width - Size + 1), rng.Next(height - Size + 1));
    }
}
