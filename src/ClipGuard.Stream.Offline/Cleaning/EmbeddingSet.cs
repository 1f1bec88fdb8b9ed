using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Offline.Embedding;
using ClipGuard.Stream.Offline.Reading;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// A finished embeddings folder (clipguard embed's output): every input shard's stats file must be there, so a clean
/// never scores half a dataset. Rows are numbered globally in shard order.
/// </summary>
public sealed class EmbeddingSet
{
    private EmbeddingSet(EmbedLayout layout, EmbedManifest manifest, ShardStats[] shards)
    {
        Layout = layout;
        Manifest = manifest;
        Shards = shards;
        Offsets = new long[shards.Length + 1];
        for (int i = 0; i < shards.Length; i++)
        {
            Offsets[i + 1] = Offsets[i] + shards[i].Samples;
        }
    }

    public EmbedLayout Layout { get; }

    public EmbedManifest Manifest { get; }

    public IReadOnlyList<ShardStats> Shards { get; }

    /// <summary>Offsets[i] is the global row of shard i's first sample; Offsets[^1] the total.</summary>
    public long[] Offsets { get; }

    public long Total => Offsets[^1];

    public static EmbeddingSet Open(string folder)
    {
        var layout = new EmbedLayout(folder);
        var manifest = OfflineJson.Read<EmbedManifest>(layout.Manifest)
            ?? throw new OfflineInputException($"{folder}: no embed_manifest.json (not an output folder of clipguard embed)");
        var stats = new ShardStats[manifest.Shards.Length];
        var missing = new List<string>();
        for (int i = 0; i < stats.Length; i++)
        {
            var s = OfflineJson.Read<ShardStats>(layout.Stats(i));
            if (s is null || !File.Exists(layout.ImageEmbeddings(i)) || !File.Exists(layout.Metadata(i)))
            {
                missing.Add($"{i} ({manifest.Shards[i]})");
            }
            else
            {
                stats[i] = s;
            }
        }

        if (missing.Count > 0)
        {
            throw new OfflineInputException(
                $"{folder}: {missing.Count} of {stats.Length} shards are not embedded yet: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}; finish clipguard embed first");
        }

        return new EmbeddingSet(layout, manifest, stats);
    }

    /// <summary>Image embeddings of shard i, checked for shape and finiteness.</summary>
    public Matrix<float> ReadImages(int i) => ReadChecked(i, Layout.ImageEmbeddings(i));

    /// <summary>Caption embeddings of shard i (absent when embedded with --no-text), checked as the images are.</summary>
    public Matrix<float> ReadTexts(int i) => ReadChecked(i, Layout.TextEmbeddings(i));

    /// <summary>Whether every shard has caption embeddings.</summary>
    public bool HasTexts => Enumerable.Range(0, Shards.Count).All(i => File.Exists(Layout.TextEmbeddings(i)));

    private Matrix<float> ReadChecked(int i, string path)
    {
        Matrix<float> m = Npy.ReadMatrixSingle(path);
        if (m.Rows != Shards[i].Samples || (m.Rows > 0 && m.Cols != Manifest.Dimension))
        {
            throw new OfflineInputException($"{path} has shape [{m.Rows}, {m.Cols}], its stats say [{Shards[i].Samples}, {Manifest.Dimension}]");
        }

        int bad = m.FirstNonFiniteRow();
        return bad < 0 ? m : throw new OfflineInputException($"{path}: row {bad} holds NaN or infinity");
    }

    public IReadOnlyList<MetadataRow> ReadMetadata(int i)
    {
        string path = Layout.Metadata(i);
        var rows = ParquetMetadata.ReadAllAsync(path).GetAwaiter().GetResult();
        return rows.Count == Shards[i].Samples ? rows : throw new OfflineInputException($"{path} has {rows.Count} rows, its stats say {Shards[i].Samples}");
    }

    /// <summary>
    /// Sorted global rows grouped by the shard that holds them, shards without one left out, so a caller reads each
    /// shard it needs once: (shard, [(row within the shard, position in <paramref name="sortedRows"/>)]).
    /// </summary>
    public IEnumerable<(int Shard, List<(int Row, int Index)> Rows)> ByShard(int[] sortedRows)
    {
        ArgumentNullException.ThrowIfNull(sortedRows);
        int next = 0;
        for (int shard = 0; shard < Shards.Count && next < sortedRows.Length; shard++)
        {
            var rows = new List<(int Row, int Index)>();
            for (; next < sortedRows.Length && sortedRows[next] < Offsets[shard + 1]; next++)
            {
                rows.Add(((int)(sortedRows[next] - Offsets[shard]), next));
            }

            if (rows.Count > 0)
            {
                yield return (shard, rows);
            }
        }
    }

    /// <summary>Skip counts of all shards added up.</summary>
    public SortedDictionary<string, long> Skipped()
    {
        var total = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in Shards)
        {
            foreach (var (code, n) in s.Skipped)
            {
                total[code] = total.GetValueOrDefault(code) + n;
            }
        }

        return total;
    }
}
