using System.Buffers.Binary;
using System.Text.Json;

namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>
/// Checks a .safetensors file's header against the format before TorchSharp.PyBridge reads it: an 8-byte little-endian
/// header length, a JSON object of tensors (dtype, shape, data_offsets) and an optional "__metadata__" object of strings,
/// then the data. PyBridge trusts the header: fuzzing found a claimed length that made it allocate gigabytes
/// (OutOfMemoryException) and entries without their fields that made it throw NullReferenceException. A file that
/// passes here has every tensor's bytes inside the file, of the size its dtype and shape need.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>The format's own bound on the header (the reference implementation refuses larger ones).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> DtypeBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>Throws <see cref="CheckpointException"/> naming the first problem of the file at <paramref name="path"/>.</summary>
    public static void Validate(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw Bad(path, $"{file.Length} bytes is shorter than the 8-byte header length");
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long room = file.Length - 8;
        if (declared < 2 || declared > (ulong)Math.Min(MaxHeaderBytes, room))
        {
            throw Bad(path, $"header length {declared} does not fit: the file has {room} bytes after it (format limit {MaxHeaderBytes})");
        }

        var header = new byte[(int)declared];
        file.ReadExactly(header);
        long dataBytes = room - header.Length;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, $"header is a JSON {document.RootElement.ValueKind}, not an object");
            }

            foreach (JsonProperty entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    CheckMetadata(path, entry.Value);
                }
                else
                {
                    CheckTensor(path, entry.Name, entry.Value, dataBytes);
                }
            }
        }
    }

    private static void CheckMetadata(string path, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object || metadata.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw Bad(path, "\"__metadata__\" must be an object of strings");
        }
    }

    private static void CheckTensor(string path, string name, JsonElement tensor, long dataBytes)
    {
        if (tensor.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"tensor '{name}' is a JSON {tensor.ValueKind}, not an object");
        }

        if (!tensor.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !DtypeBytes.TryGetValue(dtype.GetString()!, out int elementBytes))
        {
            throw Bad(path, $"tensor '{name}' has no known dtype ({string.Join(", ", DtypeBytes.Keys)})");
        }

        if (!tensor.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array)
        {
            throw Bad(path, $"tensor '{name}' has no shape array");
        }

        long elements = 1;
        foreach (JsonElement dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0 || (d > 0 && elements > long.MaxValue / d))
            {
                throw Bad(path, $"tensor '{name}' has a shape entry that is not a non-negative integer (or the shape overflows)");
            }

            elements *= d;
        }

        if (!tensor.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
        {
            throw Bad(path, $"tensor '{name}' has no [begin, end] data_offsets");
        }

        if (begin < 0 || end < begin || end > dataBytes)
        {
            throw Bad(path, $"tensor '{name}' data_offsets [{begin}, {end}] fall outside the {dataBytes} data bytes");
        }

        if (elements > (end - begin) / elementBytes || elements * elementBytes != end - begin)
        {
            throw Bad(path, $"tensor '{name}' needs {elements} x {elementBytes} bytes for its shape, its data_offsets give {end - begin}");
        }
    }

    private static CheckpointException Bad(string path, string problem) => new($"{path}: not a valid safetensors file: {problem}");
}
