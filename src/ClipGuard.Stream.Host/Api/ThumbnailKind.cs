namespace ClipGuard.Stream.Host.Api;

/// <summary>What a thumbnail shows; sent as the <c>X-ClipGuard-Thumbnail</c> header so clients need not sniff the bytes.</summary>
internal enum ThumbnailKind
{
    /// <summary>The sample's own image, decoded and downsized.</summary>
    Image,

    /// <summary>The message carries an embedding and no image.</summary>
    EmbeddingOnly,

    /// <summary>The message's image field is not an image Skia can decode (or is over the pixel limit).</summary>
    Undecodable,
}
