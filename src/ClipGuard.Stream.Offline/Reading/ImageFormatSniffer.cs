namespace ClipGuard.Stream.Offline.Reading;

/// <summary>Recognises JPEG, PNG, WebP and GIF by their signatures, to catch members whose extension lies.</summary>
public static class ImageFormatSniffer
{
    /// <summary>"jpeg", "png", "webp", "gif", or null when the bytes match none (the decoder then decides).</summary>
    public static string? Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return "jpeg";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "png";
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return "webp";
        }

        return data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8) ? "gif" : null;
    }

    /// <summary>The format an image extension promises.</summary>
    public static string FormatOfExtension(string extension) => extension switch
    {
        "jpg" or "jpeg" => "jpeg",
        "png" => "png",
        "webp" => "webp",
        _ => throw new ArgumentOutOfRangeException(nameof(extension), extension, "not an image extension"),
    };
}
