using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ClipGuard.Stream.Core.IO;

/// <summary>Writes version 1.0 .npy files atomically: a reader sees the old file or the whole new one, never a part.</summary>
internal static class NpyWriter
{
    private const int MaxChunkBytes = 1 << 30;

    // NumPy pads the header so that the data starts on a 64-byte boundary; memory-mapping readers rely on it.
    private const int Alignment = 64;

    public static void Write<T>(string path, string descr, long[] shape, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        byte[] header = Header(descr, shape);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                stream.Write(header);
                int chunk = MaxChunkBytes / Unsafe.SizeOf<T>();
                for (int start = 0; start < data.Length; start += chunk)
                {
                    stream.Write(MemoryMarshal.AsBytes(data.Slice(start, Math.Min(chunk, data.Length - start))));
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    internal static byte[] Header(string descr, long[] shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {NpyText.Shape(shape)}, }}";
        int prefix = NpyHeaderReader.Magic.Length + 2 + 2;
        int padding = (Alignment - ((prefix + dict.Length + 1) % Alignment)) % Alignment;
        string text = dict + new string(' ', padding) + "\n";

        var bytes = new byte[prefix + text.Length];
        NpyHeaderReader.Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8, 2), checked((ushort)text.Length));
        Encoding.Latin1.GetBytes(text, bytes.AsSpan(prefix));
        return bytes;
    }
}
