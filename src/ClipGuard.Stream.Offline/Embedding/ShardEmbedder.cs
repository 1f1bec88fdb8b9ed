using System.Diagnostics;
using System.Threading.Channels;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>
/// Embeds one input shard: a reader streams samples, a bounded pool decodes them in parallel ahead of the model, and
/// the model takes them in input order in batches of exactly <c>Batch</c> (the last one shorter). Batches never
/// depend on timing, so a rerun writes the same bytes. Outputs are written atomically, the stats file last.
/// </summary>
internal sealed class ShardEmbedder(
    ClipEmbedder embedder,
    ClipTokenizer? tokenizer,
    EmbedSettings settings,
    TaskScheduler decodeScheduler,
    EmbedTimings timings,
    ILogger logger)
{
    private readonly ImagePreprocessor _preprocessor = new();

    /// <summary>Embeds one shard; <paramref name="progress"/> gets the bytes and samples consumed since its last call.</summary>
    public async Task<ShardStats> RunAsync(InputShard shard, EmbedLayout layout, Action<long, long> progress, CancellationToken cancellationToken)
    {
        var skips = new SkipCounts();
        IReadOnlyDictionary<string, MetadataRow>? parquet = await ParquetMetadata.ForShardAsync(shard, logger, cancellationToken).ConfigureAwait(false);
        var assembler = new SampleAssembler(shard.Name, skips, logger, parquet);
        var reader = new ShardReader(shard, assembler, settings.MaxMemberBytes);
        var queue = Channel.CreateBounded<Task<Decoded>>(new BoundedChannelOptions(settings.QueueCapacity) { SingleReader = true, SingleWriter = true });
        Task producer = Task.Run(() => ProduceAsync(reader, queue.Writer, assembler, cancellationToken), cancellationToken);

        var kept = new List<DatasetSample>();
        var rows = new List<float[]>();
        var batch = new List<(DatasetSample Sample, float[] Pixels)>(settings.Batch);
        long lastBytes = 0;
        await foreach (var task in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var decoded = await task.ConfigureAwait(false);
            if (decoded.Pixels is not null)
            {
                batch.Add((decoded.Sample, decoded.Pixels));
            }

            if (batch.Count == settings.Batch)
            {
                Forward(batch, kept, rows);
            }

            long bytes = reader.BytesRead;
            progress(bytes - lastBytes, 1);
            lastBytes = bytes;
        }

        await producer.ConfigureAwait(false);
        Forward(batch, kept, rows);
        progress(Math.Max(0, shard.Bytes - lastBytes), 0);
        float[][] texts = settings.Text ? EncodeTexts(kept) : [];
        Write(layout, shard.Index, kept, rows, texts);
        var stats = new ShardStats(shard.Index, shard.Name, kept.Count, embedder.EmbedDim, settings.Text, skips.Snapshot());
        OfflineJson.Write(layout.Stats(shard.Index), stats);
        return stats;
    }

    private async Task ProduceAsync(ShardReader reader, ChannelWriter<Task<Decoded>> writer, SampleAssembler assembler, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var sample in reader.Read())
            {
                var decode = Task.Factory.StartNew(() => Decode(sample, assembler), cancellationToken, TaskCreationOptions.None, decodeScheduler);
                await writer.WriteAsync(decode, cancellationToken).ConfigureAwait(false);
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    private Decoded Decode(DatasetSample sample, SampleAssembler assembler)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return new Decoded(sample, _preprocessor.Preprocess(sample.Image, embedder.ImageSize));
        }
        catch (ImageRejectedException e)
        {
            assembler.Skip(sample.Key, ImageEmbeddingResult.CodeOf(e.Reason), e.Message);
            return new Decoded(sample, null);
        }
        finally
        {
            timings.AddDecode(Stopwatch.GetElapsedTime(start));
        }
    }

    private void Forward(List<(DatasetSample Sample, float[] Pixels)> batch, List<DatasetSample> kept, List<float[]> rows)
    {
        if (batch.Count == 0)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        float[][] embeddings = embedder.EncodeImages(batch.Select(b => b.Pixels).ToArray());
        timings.AddImageForward(Stopwatch.GetElapsedTime(start));
        kept.AddRange(batch.Select(b => b.Sample));
        rows.AddRange(embeddings);
        batch.Clear();
    }

    private float[][] EncodeTexts(List<DatasetSample> kept)
    {
        long start = Stopwatch.GetTimestamp();
        var result = new List<float[]>(kept.Count);
        for (int i = 0; i < kept.Count; i += settings.Batch)
        {
            var captions = kept.Skip(i).Take(settings.Batch).Select(s => s.Caption).ToArray();
            result.AddRange(embedder.EncodeTexts(captions, tokenizer!));
        }

        timings.AddTextForward(Stopwatch.GetElapsedTime(start));
        return result.ToArray();
    }

    private void Write(EmbedLayout layout, int index, List<DatasetSample> kept, List<float[]> images, float[][] texts)
    {
        int d = embedder.EmbedDim;
        AtomicFile.Write(layout.ImageEmbeddings(index), tmp => Npy.Write(tmp, ToMatrix(images, d)));
        if (settings.Text)
        {
            AtomicFile.Write(layout.TextEmbeddings(index), tmp => Npy.Write(tmp, ToMatrix(texts, d)));
        }

        var meta = kept.Select(s => new MetadataRow { Key = s.Key, Caption = s.Caption, Url = s.Url }).ToArray();
        AtomicFile.Write(layout.Metadata(index), tmp => ParquetMetadata.WriteAsync(tmp, meta).GetAwaiter().GetResult());
    }

    private static Matrix<float> ToMatrix(IReadOnlyList<float[]> rows, int d)
    {
        var m = new Matrix<float>(rows.Count, d);
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(m.Row(i));
        }

        return m;
    }

    private sealed record Decoded(DatasetSample Sample, float[]? Pixels);
}
