namespace ClipGuard.Stream.Host.Api;

/// <summary>A rendered thumbnail: PNG bytes of the sample's image, or an SVG placeholder saying why there is none.</summary>
internal sealed record Thumbnail(ThumbnailKind Kind, string ContentType, byte[] Bytes);
