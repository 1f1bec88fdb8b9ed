namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>Limits and constants for turning encoded images into model input.</summary>
public sealed class PreprocessOptions
{
    /// <summary>Pillow's own decompression-bomb threshold (Image.MAX_IMAGE_PIXELS), checked before any decoding.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    public long MaxPixels { get; set; } = DefaultMaxPixels;

    /// <summary>OpenCLIP's OPENAI_DATASET_MEAN, per RGB channel.</summary>
    public static IReadOnlyList<double> Mean { get; } = [0.48145466, 0.4578275, 0.40821073];

    /// <summary>OpenCLIP's OPENAI_DATASET_STD, per RGB channel.</summary>
    public static IReadOnlyList<double> Std { get; } = [0.26862954, 0.26130258, 0.27577711];
}
