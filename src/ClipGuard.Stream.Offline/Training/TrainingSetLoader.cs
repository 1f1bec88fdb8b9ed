using System.Diagnostics;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// Decodes an img2dataset folder (files or webdataset shards) into memory once, with the readers and preprocessing
/// <c>clipguard embed</c> uses: each image resized and centre-cropped to the model's size and kept as bytes, each
/// caption tokenized once. Samples are read in order and decoded in parallel chunks, so the pair order (and hence
/// training) does not depend on timing. Broken members and undecodable images are counted and skipped.
/// </summary>
internal sealed class TrainingSetLoader(int imageSize, Func<string, int[]> tokenize, int contextLength, int workers, long maxMemberBytes, ILogger logger)
{
    private const int Chunk = 512;
    private readonly ImagePreprocessor _preprocessor = new();

    public LoadedSet Load(IReadOnlyList<InputShard> shards, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pairs = new TrainingPairs(imageSize, contextLength);
        var keys = new List<string>();
        var skips = new SkipCounts();
        long total = shards.Sum(s => s.Bytes), before = 0;
        progress?.Report(new RunProgress(0, total, 0));
        foreach (var shard in shards)
        {
            var parquet = ParquetMetadata.ForShardAsync(shard, logger, cancellationToken).GetAwaiter().GetResult();
            var assembler = new SampleAssembler(shard.Name, skips, logger, parquet);
            var reader = new ShardReader(shard, assembler, maxMemberBytes);
            try
            {
                foreach (var chunk in reader.Read().Chunk(Chunk))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    byte[]?[] decoded = Decode(chunk, assembler, cancellationToken);
                    for (int i = 0; i < chunk.Length; i++)
                    {
                        if (decoded[i] is { } pixels)
                        {
                            pairs.Add(pixels, chunk[i].Caption, tokenize);
                            keys.Add(chunk[i].Key);
                        }
                    }

                    progress?.Report(new RunProgress(before + reader.BytesRead, total, pairs.Count));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OfflineInputException($"{shard.Path}: unreadable shard: {e.Message}");
            }

            before += shard.Bytes;
        }

        progress?.Report(new RunProgress(total, total, pairs.Count));
        return new LoadedSet(pairs, keys, shards.Count, skips.Snapshot(), clock.Elapsed.TotalSeconds);
    }

    private byte[]?[] Decode(DatasetSample[] chunk, SampleAssembler assembler, CancellationToken cancellationToken)
    {
        var decoded = new byte[]?[chunk.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, chunk.Length, options, i =>
        {
            try
            {
                decoded[i] = PixelQuantizer.ToBytes(_preprocessor.Preprocess(chunk[i].Image, imageSize));
            }
            catch (ImageRejectedException e)
            {
                assembler.Skip(chunk[i].Key, ImageEmbeddingResult.CodeOf(e.Reason), e.Message);
            }
        });
        return decoded;
    }
}
