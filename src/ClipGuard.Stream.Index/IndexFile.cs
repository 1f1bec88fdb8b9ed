using System.Runtime.InteropServices;
using ClipGuard.Stream.Core.IO;

namespace ClipGuard.Stream.Index;

/// <summary>
/// The on-disk form of every backend: a checksummed file (see <see cref="ChecksummedFile"/>) holding the backend, the
/// dimension, the live ids and the backend's payload (raw vectors for exact, FAISS's own serialisation otherwise). The
/// checksum is verified before FAISS parses a byte, so a damaged file fails with a clear error instead of in native code.
/// </summary>
internal static class IndexFile
{
    public const string Magic = "CGKNNIDX";
    public const int FormatVersion = 1;

    public static void Write(string path, KnnBackend backend, int dimension, ReadOnlySpan<long> liveIds, Action<BinaryWriter> writePayload)
    {
        long[] ids = liveIds.ToArray();
        ChecksummedFile.Write(path, Magic, FormatVersion, w =>
        {
            w.Write((int)backend);
            w.Write(dimension);
            w.Write(ids.LongLength);
            w.Write(MemoryMarshal.AsBytes(ids.AsSpan()));
            writePayload(w);
        });
    }

    public static T Read<T>(string path, KnnIndexOptions options, Func<BinaryReader, long[], T> readPayload)
    {
        return ChecksummedFile.Read(path, Magic, FormatVersion, r =>
        {
            var backend = (KnnBackend)r.ReadInt32();
            int dimension = r.ReadInt32();
            if (backend != options.Backend || dimension != options.Dimension)
            {
                throw new KnnIndexException(
                    $"index file '{path}' holds a {backend} index of dimension {dimension}; the options ask for {options.Backend} of dimension {options.Dimension}");
            }

            long count = r.ReadInt64();
            if (count < 0 || count * sizeof(long) > r.BaseStream.Length)
            {
                throw new SnapshotCorruptException(path, $"implausible id count {count}");
            }

            var ids = new long[count];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
            return readPayload(r, ids);
        });
    }

    /// <summary>A private scratch file for a native library that only reads and writes paths.</summary>
    public static string TempPath(string library) =>
        Path.Combine(Path.GetTempPath(), $"clipguard-{library}-{Environment.ProcessId}-{Guid.NewGuid():N}.index");

    /// <summary>Copies a FAISS-written file into the payload as a length-prefixed blob.</summary>
    public static void WriteBlob(BinaryWriter writer, string sourcePath)
    {
        using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        writer.Write(source.Length);
        writer.Flush();
        source.CopyTo(writer.BaseStream, 1 << 20);
    }

    /// <summary>Copies a length-prefixed blob out of the payload into <paramref name="destinationPath"/>.</summary>
    public static void ReadBlob(BinaryReader reader, string destinationPath)
    {
        long length = reader.ReadInt64();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new EndOfStreamException($"blob of {length} bytes does not fit in the file");
        }

        using var destination = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var buffer = new byte[1 << 20];
        while (length > 0)
        {
            int n = reader.BaseStream.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (n == 0)
            {
                throw new EndOfStreamException("blob truncated");
            }

            destination.Write(buffer, 0, n);
            length -= n;
        }
    }
}
