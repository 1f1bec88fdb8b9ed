namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>A backdoor trigger stamped onto a grayscale image in place. Deterministic: the same key gives the same pixels.</summary>
public interface ITrigger
{
    /// <summary>Applies the trigger; <paramref name="sampleKey"/> seeds whatever varies per sample (a random position).</summary>
    void Apply(Span<byte> image, int width, int height, int sampleKey);
}
