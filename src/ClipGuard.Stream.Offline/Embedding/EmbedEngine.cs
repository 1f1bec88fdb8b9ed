using System.Diagnostics;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>
/// <c>clipguard embed</c>: every selected input shard becomes one set of output files; shards whose stats file
/// exists are skipped, so a killed run continues where it stopped and <c>--shard i/n</c> processes share one folder.
/// </summary>
public static class EmbedEngine
{
    public static async Task<EmbedReport> RunAsync(EmbedSettings settings, IProgress<RunProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        logger ??= NullLogger.Instance;
        var wall = Stopwatch.StartNew();
        IReadOnlyList<InputShard> shards = DatasetLayout.Discover(settings.Input);
        var source = ModelSource.Resolve(settings.Model, settings.ModelConfig);
        using var embedder = ClipEmbedder.Load(source, new EmbedderOptions { Threads = settings.Threads, Normalize = settings.Normalize, Device = settings.Device }, logger);
        ClipTokenizer? tokenizer = settings.Text ? TokenizerFor(embedder) : null;

        var layout = new EmbedLayout(settings.Out);
        layout.CreateFolders();
        CheckManifest(layout, new EmbedManifest(OfflinePaths.Canonical(settings.Input), shards.Select(s => s.Name).ToArray(),
            embedder.ModelId, embedder.Version, embedder.EmbedDim, settings.Normalize, settings.Text));

        var mine = shards.Where(s => settings.Shard.Includes(s.Index)).ToArray();
        var pending = new List<InputShard>();
        int alreadyDone = 0;
        foreach (var shard in mine)
        {
            if (IsDone(layout, shard, settings.Text))
            {
                Log.ShardAlreadyDone(logger, shard.Index, shard.Name);
                alreadyDone++;
            }
            else
            {
                pending.Add(shard);
            }
        }

        var timings = new EmbedTimings();
        int workers = settings.DecodeWorkers > 0 ? settings.DecodeWorkers : Environment.ProcessorCount;
        var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, workers).ConcurrentScheduler;
        var shardEmbedder = new ShardEmbedder(embedder, tokenizer, settings, scheduler, timings, logger);
        long total = pending.Sum(s => s.Bytes), done = 0, samplesSeen = 0, samples = 0;
        var skipped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        progress?.Report(new RunProgress(0, total, 0));
        foreach (var shard in pending)
        {
            var sw = Stopwatch.StartNew();
            var stats = await shardEmbedder.RunAsync(shard, layout, (bytes, n) =>
            {
                done += bytes;
                samplesSeen += n;
                progress?.Report(new RunProgress(done, total, samplesSeen));
            }, cancellationToken).ConfigureAwait(false);
            samples += stats.Samples;
            foreach (var (code, count) in stats.Skipped)
            {
                skipped[code] = skipped.GetValueOrDefault(code) + count;
            }

            Log.ShardEmbedded(logger, shard.Index, shard.Name, stats.Samples, stats.Skipped.Values.Sum(), sw.ElapsedMilliseconds);
        }

        return new EmbedReport(mine.Length, pending.Count, alreadyDone, samples, samplesSeen, skipped, wall.Elapsed, timings, embedder.ModelId, embedder.Version, source.Describe());
    }

    private static ClipTokenizer TokenizerFor(ClipEmbedder embedder)
    {
        var tokenizer = ClipTokenizer.LoadDefault();
        return tokenizer.VocabularySize == embedder.Config.Text.VocabSize
            ? tokenizer
            : throw new OfflineInputException(
                $"the model's text tower has {embedder.Config.Text.VocabSize} tokens, CLIP's tokenizer {tokenizer.VocabularySize}: captions cannot be embedded (use --no-text)");
    }

    private static bool IsDone(EmbedLayout layout, InputShard shard, bool text)
    {
        var stats = OfflineJson.Read<ShardStats>(layout.Stats(shard.Index));
        if (stats is null)
        {
            return false;
        }

        if (stats.Input != shard.Name)
        {
            throw new OfflineInputException($"{layout.Stats(shard.Index)} was written for input shard {stats.Input}, not {shard.Name}: the input changed; use a new --out");
        }

        return File.Exists(layout.ImageEmbeddings(shard.Index)) && File.Exists(layout.Metadata(shard.Index)) && (!text || File.Exists(layout.TextEmbeddings(shard.Index)));
    }

    private static void CheckManifest(EmbedLayout layout, EmbedManifest current)
    {
        var existing = OfflineJson.Read<EmbedManifest>(layout.Manifest);
        if (existing is null)
        {
            OfflineJson.Write(layout.Manifest, current);
            return;
        }

        string? difference =
            existing.Input != current.Input ? $"input {existing.Input}"
            : !existing.Shards.SequenceEqual(current.Shards) ? $"{existing.Shards.Length} input shards ({string.Join(", ", existing.Shards.Take(3))}...)"
            : existing.ModelId != current.ModelId || existing.ModelVersion != current.ModelVersion ? $"model {existing.ModelId}@{existing.ModelVersion}"
            : existing.Normalized != current.Normalized ? $"normalize = {existing.Normalized}"
            : existing.Text != current.Text ? $"text = {existing.Text}"
            : null;
        if (difference is not null)
        {
            throw new OfflineInputException($"{layout.Root} holds embeddings made with {difference}; this run differs: use a new --out");
        }
    }
}
