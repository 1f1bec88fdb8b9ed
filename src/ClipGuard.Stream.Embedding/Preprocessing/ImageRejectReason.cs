namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>Why an image was refused; stable names, carried into dead-letter records.</summary>
public enum ImageRejectReason
{
    /// <summary>No bytes at all.</summary>
    Empty,

    /// <summary>No decoder recognises the bytes, or the header is damaged.</summary>
    Corrupt,

    /// <summary>A recognised format that the embedder does not accept (only JPEG, PNG, WebP, GIF are).</summary>
    UnsupportedFormat,

    /// <summary>The header declares a zero width or height.</summary>
    ZeroSize,

    /// <summary>The declared pixel count exceeds the max-pixels limit (decompression bomb); nothing was decoded.</summary>
    TooManyPixels,

    /// <summary>The pixel data ends early or fails to decode part-way.</summary>
    Truncated,
}
