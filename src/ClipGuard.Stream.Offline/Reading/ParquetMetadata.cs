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
