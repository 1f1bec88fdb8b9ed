using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// A trusted seed given as a folder of image-text pairs (img2dataset output or webdataset <c>.tar</c> shards), embedded
/// by the service itself with the model it runs: images by the image pipeline (decoded and preprocessed exactly as
/// stream images), captions by the same model's text tower. So a seed is always in the stream's own space. With a
/// reference image store, the seed's images and captions are kept too: a model swap re-embeds the seed with the rest of
/// the reference (docs/sentinel.md).
/// </summary>
internal static class SeedFolder
{
    /// <summary>Largest shard member (image file) read; a larger one is skipped with its reason.</summary>
    public const long MaxMemberBytes = 64L << 20;

    private const int Chunk = 256;

    /// <summary>The seed's sample keys, image embeddings and caption embeddings (null when the model cannot embed captions), row for row.</summary>
    /// <exception cref="InvalidDataException">The folder holds no pair whose image could be embedded.</exception>
    public static (List<string> Ids, Matrix<float> Images, Matrix<float>? Captions) Embed(
        string folder, ImageEmbeddingPipeline pipeline, int dimension, long maxImageBytes, ILogger log, CancellationToken cancel,
        Action<string, byte[], string>? keep = null)
    {
        var ids = new List<string>();
        var images = new List<float[]>();
        var captions = new List<float[]>();
        var skips = new SkipCounts();
        int rejected = 0;
        foreach (InputShard shard in DatasetLayout.Discover(folder))
        {
            var parquet = ParquetMetadata.ForShardAsync(shard, log, cancel).GetAwaiter().GetResult();
            var reader = new ShardReader(shard, new SampleAssembler(shard.Name, skips, log, parquet), maxImageBytes);
            foreach (DatasetSample[] chunk in reader.Read().Chunk(Chunk))
            {
                cancel.ThrowIfCancellationRequested();
                ImageEmbeddingResult[] embedded = Task.WhenAll(chunk.Select(s => pipeline.EmbedAsync(s.Image, cancel))).GetAwaiter().GetResult();
                var kept = new List<int>(chunk.Length);
                for (int i = 0; i < chunk.Length; i++)
                {
                    if (embedded[i].Embedding is { } e)
                    {
                        kept.Add(i);
                        ids.Add(chunk[i].Key);
                        images.Add(e);
                        keep?.Invoke(chunk[i].Key, chunk[i].Image, chunk[i].Caption);
                    }
                    else
                    {
                        rejected++;
                    }
                }

                if (pipeline.EmbedsCaptions)
                {
                    captions.AddRange(pipeline.EmbedCaptions([.. kept.Select(i => chunk[i].Caption)]));
                }
            }
        }

        if (ids.Count == 0)
        {
            throw new InvalidDataException($"the seed folder {folder} holds no pair whose image could be embedded ({skips.Total} skipped, {rejected} images rejected)");
        }

        Log.SeedFolderEmbedded(log, folder, ids.Count, skips.Total, rejected, pipeline.EmbedsCaptions ? "embedded" : "not embedded (the model's text tower does not read CLIP's vocabulary)");
        return (ids, Rows(images, dimension), pipeline.EmbedsCaptions ? Rows(captions, dimension) : null);
    }

    private static Matrix<float> Rows(List<float[]> rows, int dimension)
    {
        var m = new Matrix<float>(rows.Count, dimension);
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(m.Row(i));
        }

        return m;
    }
}
