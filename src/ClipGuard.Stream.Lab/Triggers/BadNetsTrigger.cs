namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>A square patch of <see cref="Size"/> pixels stamped over the image (Gu et al., BadNets).</summary>
public sealed class BadNetsTrigger : ITrigger
{
    private readonly byte[] _patch;

    public BadNetsTrigger(int size, PatchPosition position, PatchPattern pattern, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        Position = position;
        Seed = seed;
        _patch = new byte[size * size];
        var rng = TriggerSeeds.For(seed, -1);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                _patch[y * size + x] = pattern switch
                {
                    PatchPattern.Checkerboard => (x + y) % 2 == 0 ? (byte)255 : (byte)0,
                    PatchPattern.White => 255,
                    PatchPattern.Random => rng.Next(2) == 0 ? (byte)0 : (byte)255,
                    _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, null),
                };
            }
        }
    }

    public int Size { get; }

    public PatchPosition Position { get; }

    public int Seed { get; }

    public void Apply(Span<byte> image, int width, int height, int sampleKey)
    {
        if (image.Length != width * height)
        {
            throw new ArgumentException($"image has {image.Length} pixels, not {width}x{height}", nameof(image));
        }

        if (Size > width || Size > height)
        {
            throw new ArgumentException($"a {Size}-pixel patch does not fit a {width}x{height} image");
        }

        var (left, top) = Corner(width, height, sampleKey);
        for (int y = 0; y < Size; y++)
        {
            _patch.AsSpan(y * Size, Size).CopyTo(image.Slice((top + y) * width + left, Size));
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
