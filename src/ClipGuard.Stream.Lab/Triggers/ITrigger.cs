namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>
/// A backdoor trigger stamped onto an image in place: 8-bit pixels row-major, <c>channels</c> interleaved per pixel
/// (1 = grayscale, 3 = RGB). Deterministic: the same key gives the same pixels.
/// </summary>
public interface ITrigger
{
    /// <summary>Applies the trigger; <paramref name="sampleKey"/> seeds whatever varies per sample (a random position).</summary>
    void Apply(Span<byte> image, int width, int height, int sampleKey, int channels = 1);
}
