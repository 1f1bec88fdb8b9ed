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
            return await ReadAsync(shard.Parquet, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            Log.ParquetUnreadable(logger, shard.Parquet, e.Message);
            return null;
        }
    }

    /// <summary>Every row in file order.</summary>
    public static async Task<IReadOnlyList<MetadataRow>> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await ParquetSerializer.DeserializeAsync<MetadataRow>(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Data.AsReadOnly();
    }

    /// <summary>Writes rows in the same schema (used for the output metadata files).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<MetadataRow> rows, CancellationToken cancellationToken = default) =>
        await ParquetSerializer.SerializeAsync(rows, path, cancellationToken: cancellationToken).ConfigureAwait(false);
}
