using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Core.IO;

/// <summary>Reads and validates the magic, version and header dict at the start of a .npy stream.</summary>
internal static class NpyHeaderReader
{
    // NumPy's own readers refuse headers over 10,000 bytes by default; a much larger one is a corrupt length field.
    private const int MaxHeaderBytes = 1 << 20;

    // "\x93NUMPY": the first byte is not ASCII, so a u8 string literal would encode it as two bytes.
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyHeader Read(FileStream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            throw NpyFormatException.For(path, "not a NumPy .npy file (bad magic)");
        }

        int major = prefix[6];
        int minor = prefix[7];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw NpyFormatException.For(path, $"unsupported .npy format version {major}.{minor}"),
        };
        if (stream.ReadAtLeast(prefix.Slice(8, lengthBytes), lengthBytes, throwOnEndOfStream: false) < lengthBytes)
        {
            throw NpyFormatException.For(path, "truncated header");
        }

        long headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix.Slice(8, 2))
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix.Slice(8, 4));
        if (headerLength > MaxHeaderBytes)
        {
            throw NpyFormatException.For(path, $"header length {headerLength.ToString(CultureInfo.InvariantCulture)} is implausibly large");
        }

        byte[] headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
        {
            throw NpyFormatException.For(path, "truncated header");
        }

        // Versions 1 and 2 store the header as latin-1; version 3 exists only to allow UTF-8.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return Interpret(text, major, minor, 8 + lengthBytes + headerLength, path);
    }

    private static NpyHeader Interpret(string text, int major, int minor, long dataOffset, string path)
    {
        object? literal;
        try
        {
            literal = PythonLiteralParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw NpyFormatException.For(path, $"malformed header dict: {e.Message}", e);
        }

        if (literal is not Dictionary<string, object?> dict)
        {
            throw NpyFormatException.For(path, "malformed header: not a dict");
        }

        object? descr = Field(dict, "descr", path);
        if (descr is not string descrText)
        {
            throw NpyFormatException.For(path, "unsupported dtype: structured or non-string descr");
        }

        if (Field(dict, "fortran_order", path) is not bool fortranOrder)
        {
            throw NpyFormatException.For(path, "malformed header: fortran_order is not True or False");
        }

        if (Field(dict, "shape", path) is not List<object?> shapeItems)
        {
            throw NpyFormatException.For(path, "malformed header: shape is not a tuple");
        }

        long[] shape = new long[shapeItems.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeItems[i] is not long d || d < 0)
            {
                throw NpyFormatException.For(path, "malformed header: shape entries must be non-negative integers");
            }

            shape[i] = d;
        }

        return new NpyHeader(major, minor, descrText, fortranOrder, shape, dataOffset);
    }

    private static object? Field(Dictionary<string, object?> dict, string key, string path) =>
        dict.TryGetValue(key, out object? value)
            ? value
            : throw NpyFormatException.For(path, $"malformed header: no '{key}' key");
}
