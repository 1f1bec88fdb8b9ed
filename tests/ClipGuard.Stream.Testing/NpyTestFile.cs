using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace ClipGuard.Stream.Testing;

/// <summary>Writes .npy fixtures (version 1.0, little-endian float32, C order) exactly as numpy.save lays them out.</summary>
public static class NpyTestFile
{
    public static void WriteFloat32(string path, int rows, int cols, ReadOnlySpan<float> data)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(data.Length, rows * cols);
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";

        // numpy pads the header with spaces so that the data starts on a 64-byte boundary, ending in '\n'.
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - (unpadded % 64)) % 64) + "\n";
        using FileStream file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(MemoryMarshal.AsBytes(data));
    }
}
