using System.Text;
using System.Text.Json;
using SkiaSharp;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// Decodes the image of a quarantined message (the envelope's base64 <c>image</c> field) and downsizes it on the
/// server, so the console never ships megabyte originals to a list of fifty rows.
/// </summary>
internal static class ThumbnailRenderer
{
    public const int DefaultSize = 128;
    public const int MinSize = 16;
    public const int MaxSize = 512;

    /// <summary>Images declaring more pixels are not decoded at all (a decompression bomb costs only its header).</summary>
    public const long MaxPixels = 50_000_000;

    public static Thumbnail Render(ReadOnlyMemory<byte> messageValue, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        byte[]? image = ReadImageField(messageValue);
        if (image is null)
        {
            return Placeholder(ThumbnailKind.EmbeddingOnly, size, "embedding only", "no image in the message");
        }

        return Downsize(image, size) is { } png
            ? new Thumbnail(ThumbnailKind.Image, "image/png", png)
            : Placeholder(ThumbnailKind.Undecodable, size, "image unreadable", "cannot be decoded");
    }

    /// <summary>The bytes of the top-level <c>image</c> field; null when absent, null, or not valid JSON/base64.</summary>
    private static byte[]? ReadImageField(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("image", out JsonElement field)
                && field.ValueKind == JsonValueKind.String
                && field.TryGetBytesFromBase64(out byte[]? bytes)
                && bytes.Length > 0
                    ? bytes
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? Downsize(byte[] image, int size)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(image));
        if (codec is null || codec.Info.Width < 1 || codec.Info.Height < 1 || (long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            return null;
        }

        using var decoded = SKBitmap.Decode(codec, codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Premul));
        if (decoded is null)
        {
            return null;
        }

        // Fit inside size x size keeping the aspect ratio; never upscale (the browser does that with crisp pixels).
        double scale = Math.Min(1.0, (double)size / Math.Max(decoded.Width, decoded.Height));
        int w = Math.Max(1, (int)Math.Round(decoded.Width * scale)), h = Math.Max(1, (int)Math.Round(decoded.Height * scale));
        using SKBitmap resized = scale < 1.0
            ? decoded.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            : decoded.Copy();
        if (resized is null)
        {
            return null;
        }

        using SKData data = resized.Encode(SKEncodedImageFormat.Png, 100);
        return data?.ToArray();
    }

    private static Thumbnail Placeholder(ThumbnailKind kind, int size, string title, string detail)
    {
        string svg = $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 128 128" role="img" aria-label="{title}">
            <rect width="128" height="128" rx="8" fill="#eef0f3" stroke="#9aa3ad" stroke-dasharray="6 4"/>
            <text x="64" y="60" text-anchor="middle" font-family="sans-serif" font-size="13" fill="#3d4650">{title}</text>
            <text x="64" y="80" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#6b7580">{detail}</text>
            </svg>
            """;
        return new Thumbnail(kind, "image/svg+xml", Encoding.UTF8.GetBytes(svg));
    }
}
