namespace ClipGuard.Stream.Core.IO;

/// <summary>Maps a NumPy dtype descr string ('&lt;f4', '|u1', ...) to an element type this reader can use.</summary>
internal static class NpyDtype
{
    /// <summary>Parses descr; on failure <paramref name="problem"/> says why, in words for an error message.</summary>
    public static bool TryParse(string descr, out NpyElementType type, out string problem)
    {
        type = default;
        problem = string.Empty;
        if (descr.Length < 2)
        {
            problem = $"unsupported dtype {NpyText.Quote(descr)}";
            return false;
        }

        char order = descr[0];
        string code = "<>=|".Contains(order, StringComparison.Ordinal) ? descr[1..] : descr;
        NpyElementType? parsed = code switch
        {
            "b1" or "?" => NpyElementType.Bool,
            "i1" => NpyElementType.Int8,
            "u1" => NpyElementType.UInt8,
            "i2" => NpyElementType.Int16,
            "i4" => NpyElementType.Int32,
            "i8" => NpyElementType.Int64,
            "f2" => NpyElementType.Float16,
            "f4" => NpyElementType.Float32,
            "f8" => NpyElementType.Float64,
            _ => null,
        };
        if (parsed is null)
        {
            problem = $"unsupported dtype {NpyText.Quote(descr)}";
            return false;
        }

        // Byte order matters only for multi-byte types; '=' is native, which BitConverter.IsLittleEndian guards.
        if (order == '>' && SizeOf(parsed.Value) > 1)
        {
            problem = $"big-endian dtype {NpyText.Quote(descr)} is not supported (save with arr.astype('<{code}'))";
            return false;
        }

        type = parsed.Value;
        return true;
    }

    public static int SizeOf(NpyElementType type) => type switch
    {
        NpyElementType.Bool or NpyElementType.Int8 or NpyElementType.UInt8 => 1,
        NpyElementType.Int16 or NpyElementType.Float16 => 2,
        NpyElementType.Int32 or NpyElementType.Float32 => 4,
        NpyElementType.Int64 or NpyElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool IsFloatingPoint(NpyElementType type) =>
        type is NpyElementType.Float16 or NpyElementType.Float32 or NpyElementType.Float64;
}
