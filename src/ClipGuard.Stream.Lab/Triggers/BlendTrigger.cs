namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>The image blended with one fixed uniform-noise pattern: (1 - alpha) x + alpha p (Chen et al., Blend).</summary>
public sealed class BlendTrigger : ITrigger
{
    private readonly int _seed;
    private byte[]? _pattern;

    public BlendTrigger(double alpha, int seed)
    {
        if (!(alpha is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "blend alpha must be in (0, 1]");
        }

        Alpha = alpha;
        _seed = seed;
    }

    public double Alpha { get; }

    public void Apply(Span<byte> image, int width, int height, int sampleKey, int channels = 1)
    {
        TriggerImage.Check(image, width, height, channels);
        byte[] p = Pattern(image.Length);
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (byte)Math.Round(((1 - Alpha) * image[i]) + (Alpha * p[i]), MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>The noise pattern: the same for every sample, drawn once from the seed for this image size (bytes, channels included).</summary>
    public byte[] Pattern(int pixels)
    {
        byte[]? p = _pattern;
        if (p is null || p.Length != pixels)
        {
            p = new byte[pixels];
            TriggerSeeds.For(_seed, -2).NextBytes(p);
            _pattern = p;
        }

        return p;
    }
}
