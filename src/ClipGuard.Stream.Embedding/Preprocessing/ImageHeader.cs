using System.Buffers.Binary;

namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>
/// Reads declared dimensions from PNG and GIF headers. Skia refuses a 0-wide PNG or GIF without saying why, so a
/// zero-size image would otherwise be reported as corrupt; the dead-letter reason should say what is wrong.
/// </summary>
internal static class ImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static (long Width, long Height)? DeclaredSize(ReadOnlySpan<byte> data)
    {
        // PNG: signature, then the IHDR chunk (length, "IHDR", width, height as big-endian u32).
        if (data.Length >= 24 && data[..8].SequenceEqual(PngSignature) && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return (BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]));
        }

        // GIF: "GIF87a"/"GIF89a", then the logical screen width and height as little-endian u16.
        if (data.Length >= 10 && (data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8)))
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
        }

        return null;
    }
}
