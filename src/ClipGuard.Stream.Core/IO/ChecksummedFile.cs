using System.Security.Cryptography;
using System.Text;

namespace ClipGuard.Stream.Core.IO;

/// <summary>
/// Files that are either whole and intact or rejected: an 8-byte magic and a format version, the body, and a SHA-256
/// trailer over everything before it, written through <see cref="AtomicFile"/>. Readers verify the trailer over the
/// whole file before parsing a single field, so a torn or bit-flipped file is reported, never half-loaded.
/// </summary>
public static class ChecksummedFile
{
    private const int TrailerBytes = 32;

    public static void Write(string path, string magic, int version, Action<BinaryWriter> writeBody)
    {
        byte[] magicBytes = MagicBytes(magic);
        AtomicFile.Write(path, temp =>
        {
            using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var hashing = new HashingWriteStream(file, hash))
            using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(magicBytes);
                writer.Write(version);
                writeBody(writer);
                writer.Flush();
            }

            file.Write(hash.GetHashAndReset());
        });
    }

    /// <summary>
    /// Verifies the file, then hands a reader positioned after the header to <paramref name="readBody"/>. Reading past
    /// the body, or leaving bytes unread, is reported as corruption (a checksum only proves the bytes are as written).
    /// </summary>
    public static TResult Read<TResult>(string path, string magic, int version, Func<BinaryReader, TResult> readBody)
    {
        byte[] magicBytes = MagicBytes(magic);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        long bodyEnd = file.Length - TrailerBytes;
        if (bodyEnd < magicBytes.Length + sizeof(int))
        {
            throw new SnapshotCorruptException(path, $"truncated: {file.Length} bytes is shorter than any valid file");
        }

        var header = new byte[magicBytes.Length];
        file.ReadExactly(header);
        if (!header.AsSpan().SequenceEqual(magicBytes))
        {
            throw new SnapshotCorruptException(path, $"not a {magic} file (magic bytes differ)");
        }

        file.Position = 0;
        VerifyChecksum(path, file, bodyEnd);
        file.Position = magicBytes.Length;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        int found = reader.ReadInt32();
        if (found != version)
        {
            throw new SnapshotCorruptException(path, $"format version {found}, this build reads version {version}");
        }

        TResult result;
        try
        {
            result = readBody(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new SnapshotCorruptException(path, "the body ends before its declared contents", e);
        }
        catch (Exception e) when (e is (IOException or FormatException or OverflowException) and not SnapshotCorruptException)
        {
            // A body that passes the checksum but was not written by us (crafted, or a writer bug): BinaryReader reports
            // bad string lengths and 7-bit integers this way (found by fuzzing the body behind a valid trailer).
            throw new SnapshotCorruptException(path, $"the body is malformed: {e.Message}", e);
        }

        if (file.Position != bodyEnd)
        {
            throw new SnapshotCorruptException(path, $"{bodyEnd - file.Position} unexpected byte(s) after the body");
        }

        return result;
    }

    private static void VerifyChecksum(string path, FileStream file, long bodyEnd)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long left = bodyEnd;
        while (left > 0)
        {
            int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0)
            {
                throw new SnapshotCorruptException(path, "truncated while verifying");
            }

            hash.AppendData(buffer, 0, n);
            left -= n;
        }

        Span<byte> stored = stackalloc byte[TrailerBytes];
        file.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
        {
            throw new SnapshotCorruptException(path, "checksum mismatch (the file is truncated or its bytes changed)");
        }
    }

    private static byte[] MagicBytes(string magic)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(magic);
        if (bytes.Length != 8)
        {
            throw new ArgumentException($"magic must be 8 ASCII characters (got '{magic}')", nameof(magic));
        }

        return bytes;
    }
}
