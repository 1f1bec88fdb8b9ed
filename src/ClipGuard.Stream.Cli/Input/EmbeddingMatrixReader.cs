using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Cli.Input;

/// <summary>Reads an embedding matrix from a .npy file. Deliberately minimal (little-endian float32, 2-D, C order)
/// and the only place the CLI reads .npy: when <c>ClipGuard.Stream.Core.IO.Npy.ReadMatrixSingle</c> lands, this
/// file's body becomes a call to it.</summary>
internal static partial class EmbeddingMatrixReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <exception cref="InvalidDataException">the file is not a 2-D little-endian float32 C-order .npy.</exception>
    public static Matrix<float> Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        byte[] magic = reader.ReadBytes(Magic.Length + 2);
        if (magic.Length < Magic.Length + 2 || !magic.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a .npy file (bad magic)");
        }

        byte major = magic[Magic.Length];
        int headerLength = major switch
        {
            1 => BinaryPrimitives.ReadUInt16LittleEndian(reader.ReadBytes(2)),
            2 or 3 => checked((int)BinaryPrimitives.ReadUInt32LittleEndian(reader.ReadBytes(4))),
            _ => throw new InvalidDataException($"{path}: unsupported .npy format version {major}"),
        };
        string header = Encoding.Latin1.GetString(reader.ReadBytes(headerLength));
        (int rows, int cols) = ParseHeader(path, header);

        var data = new float[checked(rows * cols)];
        Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
        stream.ReadExactly(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("reading .npy needs a little-endian machine");
        }

        return new Matrix<float>(rows, cols, data);
    }

    private static (int Rows, int Cols) ParseHeader(string path, string header)
    {
        Match descr = DescrPattern().Match(header);
        if (!descr.Success || descr.Groups[1].Value is not ("<f4" or "float32"))
        {
            throw new InvalidDataException($"{path}: dtype must be little-endian float32 ('<f4'), header is {header.Trim()}");
        }

        if (!FortranPattern().IsMatch(header))
        {
            throw new InvalidDataException($"{path}: only C-order arrays are supported (fortran_order must be False)");
        }

        Match shape = ShapePattern().Match(header);
        if (!shape.Success)
        {
            throw new InvalidDataException($"{path}: the array must be 2-D (rows, dim), header is {header.Trim()}");
        }

        int rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        int cols = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        if (cols == 0)
        {
            throw new InvalidDataException($"{path}: embeddings have dimension 0");
        }

        return (rows, cols);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*False")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)")]
    private static partial Regex ShapePattern();
}
