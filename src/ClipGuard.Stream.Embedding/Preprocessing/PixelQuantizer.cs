namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>
/// Model input (normalised CHW floats, as <see cref="ImagePreprocessor"/> makes them) stored as one byte per value:
/// the 0..255 intensity before normalisation, rounded. A decoded training set then takes a quarter of the memory and
/// converting a batch back is one table look-up per value. Rounding moves a value by at most half an intensity level
/// (the source images are 8-bit anyway; only the resampler's fractions are lost).
/// </summary>
public static class PixelQuantizer
{
    private static readonly float[][] Table = [.. Enumerable.Range(0, 3).Select(c =>
        Enumerable.Range(0, 256).Select(v => (float)(((v / 255.0) - PreprocessOptions.Mean[c]) / PreprocessOptions.Std[c])).ToArray())];

    /// <summary>Normalised CHW floats (3 x size x size) to intensities, one byte each.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> normalized)
    {
        if (normalized.Length % 3 != 0)
        {
            throw new ArgumentException($"{normalized.Length} values are not three channel planes", nameof(normalized));
        }

        int plane = normalized.Length / 3;
        var bytes = new byte[normalized.Length];
        for (int c = 0; c < 3; c++)
        {
            double mean = PreprocessOptions.Mean[c], std = PreprocessOptions.Std[c];
            for (int i = c * plane; i < (c + 1) * plane; i++)
            {
                bytes[i] = (byte)Math.Clamp(Math.Round(((normalized[i] * std) + mean) * 255.0), 0, 255);
            }
        }

        return bytes;
    }

    /// <summary>Intensities back to normalised CHW floats, written into <paramref name="destination"/>.</summary>
    public static void ToFloats(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (bytes.Length % 3 != 0 || destination.Length != bytes.Length)
        {
            throw new ArgumentException($"{bytes.Length} bytes into {destination.Length} floats: expected three equal planes", nameof(destination));
        }

        int plane = bytes.Length / 3;
        for (int c = 0; c < 3; c++)
        {
            float[] table = Table[c];
            for (int i = c * plane; i < (c + 1) * plane; i++)
            {
                destination[i] = table[bytes[i]];
            }
        }
    }
}
