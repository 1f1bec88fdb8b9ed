using Microsoft.Extensions.Logging;
using Parquet.Serialization;

namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// img2dataset's per-shard parquet (key, caption, url, status, ... per row) read with Parquet.Net: captions and URLs
/// for samples whose shard lacks a .txt or .json. Columns other than these three are ignored.
/// </summary>
public static class ParquetMetadata
{
    public static async Task<IReadOnlyDictionary<string, MetadataRow>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var byKey = new Dictionary<string, MetadataRow>(StringComparer.Ordinal);
        foreach (var row in await ReadAllAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (row.Key is { Length: > 0 } key)
            {
                byKey.TryAdd(key, row);
            }
        }

        return byKey;
    }

    /// <summary>
    /// The sidecar parquet of <paramref name="shard"/> by key, or null when it has none or it cannot be read: captions
    /// usually live in the shard itself, so a damaged sidecar costs only the samples that needed it (logged).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, MetadataRow>?> ForShardAsync(InputShard shard, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Parquet is null)
        {
            return null;
        }

        try
        {
            return await ReadAsync(shard.Parquet, cancellationToken).WaitAsync(ReadTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            Log.ParquetUnreadable(logger, shard.Parquet, e.Message);
            return null;
        }
    }

    /// <summary>Every row in file order.</summary>
    /// <summary>
    /// How long a sidecar may take to read before it counts as unreadable. Fuzzing found ~800-byte files on which
    /// Parquet.Net spins without end; the wait ends, the shard goes on without its sidecar, but the spinning thread
    /// cannot be stopped (docs/hardening.md lists it as an open finding).
    /// </summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<MetadataRow>> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        CheckFrame(path);
        var result = await ParquetSerializer.DeserializeAsync<MetadataRow>(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Data.AsReadOnly();
    }

    /// <summary>
    /// The parquet frame: "PAR1" at both ends and a footer length that fits between them. Parquet.Net allocates the
    /// footer length it reads before checking it (fuzzing: OutOfMemoryException on a 800-byte file).
    /// </summary>
    private static void CheckFrame(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[4], tail = stackalloc byte[8];
        if (file.Length < 12 || file.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || !head.SequenceEqual("PAR1"u8))
        {
            throw new InvalidDataException($"{path} is not a parquet file (no leading PAR1)");
        }

        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(tail);
        uint footer = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8) || footer == 0 || footer > file.Length - 12)
        {
            throw new InvalidDataException($"{path} is not a whole parquet file (trailing PAR1 missing or footer length {footer} does not fit in {file.Length} bytes)");
        }
    }

    /// <summary>Writes rows in the same schema (used for the output metadata files).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<MetadataRow> rows, CancellationToken cancellationToken = default) =>
        await ParquetSerializer.SerializeAsync(rows, path, cancellationToken: cancellationToken).ConfigureAwait(false);
}
