using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Embedding.Pipeline;

/// <summary>An image's embedding, or why it has none; either way the model that was asked, for the verdict.</summary>
public sealed record ImageEmbeddingResult(float[]? Embedding, ImageRejectReason? Rejection, string? Detail, string ModelId, string ModelVersion)
{
    public bool IsRejected => Rejection is not null;

    /// <summary>The dead-letter reason code for a rejection, e.g. <c>image_too_many_pixels</c>.</summary>
    public string? ReasonCode => Rejection is { } r ? CodeOf(r) : null;

    public static string CodeOf(ImageRejectReason reason) => reason switch
    {
        ImageRejectReason.Empty => "image_empty",
        ImageRejectReason.Corrupt => "image_corrupt",
        ImageRejectReason.UnsupportedFormat => "image_unsupported_format",
        ImageRejectReason.ZeroSize => "image_zero_size",
        ImageRejectReason.TooManyPixels => "image_too_many_pixels",
        ImageRejectReason.Truncated => "image_truncated",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown reject reason"),
    };
}
