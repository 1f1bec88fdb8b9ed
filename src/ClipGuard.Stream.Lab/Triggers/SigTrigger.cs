namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>
/// Barni et al. 2019 (SIG): a sinusoid added to every pixel as horizontal stripes,
/// x + <see cref="Amplitude"/> sin(2 pi <see cref="Frequency"/> y / height), clamped to [0, 255].
/// </summary>
public sealed class SigTrigger : ITrigger
{
    public SigTrigger(double amplitude, double frequency)
    {
        if (!(amplitude is > 0 and <= 255))
        {
            throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "SIG amplitude must be in (0, 255]");
        }

        if (!(frequency > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "SIG frequency must be positive (stripes per image height)");
        }

        Amplitude = amplitude;
        Frequency = frequency;
    }

    public double Amplitude { get; }

    /// <summary>Sine periods over the image's height.</summary>
    public double Frequency { get; }

    /// <summary>What row <paramref name="y"/> of an image <paramref name="height"/> rows tall gets added.</summary>
    public double Offset(int y, int height) => Amplitude * Math.Sin(2 * Math.PI * Frequency * y / height);

    public void Apply(Span<byte> image, int width, int height, int sampleKey, int channels = 1)
    {
        TriggerImage.Check(image, width, height, channels);
        int row = width * channels;
        for (int y = 0; y < height; y++)
        {
            double offset = Offset(y, height);
            Span<byte> pixels = image.Slice(y * row, row);
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = TriggerImage.Clamp(pixels[i] + offset);
            }
        }
    }
}
