using System.Buffers.Binary;
using System.IO.Compression;

namespace ClipGuard.Stream.Lab.Data;

/// <summary>
/// LeCun's IDX format (MNIST, Fashion-MNIST), gzip-compressed or not: a big-endian magic (0, 0, type 0x08 = unsigned
/// byte, number of dimensions), one big-endian int32 per dimension, then the data.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>The dimensions and bytes of an unsigned-byte IDX file; anything else is an <see cref="InvalidDataException"/>.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        using var file = File.OpenRead(path);
        using System.IO.Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static (int[] Shape, byte[] Data) Read(System.IO.Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[4];
        ReadFully(stream, magic, name, "magic number");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"{name}: not an IDX file (magic {Convert.ToHexString(magic)})");
        }

        if (magic[2] != UnsignedByte)
        {
            throw new InvalidDataException($"{name}: IDX element type 0x{magic[2]:x2} is not unsigned byte (0x08)");
        }

        int rank = magic[3];
        if (rank is < 1 or > 4)
        {
            throw new InvalidDataException($"{name}: IDX rank {rank} is outside 1..4");
        }

        var shape = new int[rank];
        Span<byte> dim = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadFully(stream, dim, name, $"dimension {i}");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dim);
            if (shape[i] < 0)
            {
                throw new InvalidDataException($"{name}: dimension {i} is negative ({shape[i]})");
            }

            total *= shape[i];
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidDataException($"{name}: {total} elements are more than one array holds");
        }

        var data = new byte[total];
        ReadFully(stream, data, name, "data");
        return (shape, data);
    }

    private static void ReadFully(System.IO.Stream stream, Span<byte> buffer, string name, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{name}: file ends in the {what} ({read} of {buffer.Length} bytes)");
        }
    }
}
