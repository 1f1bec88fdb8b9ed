using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Offline;
using ClipGuard.Stream.Offline.Sentinel;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// One embedder for the process, loaded at start; a model that cannot be loaded stops the service with the reason
/// rather than dead-lettering every image later. With a sentinel directory that already holds a complete checkpoint,
/// the newest one is loaded instead of the configured model (the service was running on it before the restart).
/// </summary>
internal static class ImageEmbeddingFactory
{
    public static ImageEmbedding Create(EmbeddingStageOptions options, SentinelOptions sentinel, TimeProvider time, ILoggerFactory loggers)
    {
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            return new ImageEmbedding(null);
        }

        ILogger log = loggers.CreateLogger("ClipGuard.Stream.Host");
        if (sentinel.Enabled && new SentinelLayout(sentinel.Directory!).Newest() is { } newest)
        {
            try
            {
                newest.Verify();
                StreamImageEmbedder loaded = Load(ModelSource.FromDirectory(newest.Directory), options, time, loggers);
                Log.SentinelLoadedAtStart(log, newest.Version, loaded.ModelVersionLabel, newest.Directory);
                return new ImageEmbedding(loaded);
            }
            catch (Exception e) when (e is OfflineInputException or InvalidOperationException)
            {
                Log.SentinelModelRefused(log, newest.Directory, e.Message);
            }
        }

        ModelSource source;
        try
        {
            source = ModelSource.Resolve(options.Model, string.IsNullOrWhiteSpace(options.ModelConfig) ? null : options.ModelConfig);
        }
        catch (CheckpointException e)
        {
            throw new InvalidOperationException($"ClipGuard:Stream:Model: cannot load the model {options.Model}: {e.Message}", e);
        }

        return new ImageEmbedding(Load(source, options, time, loggers));
    }

    /// <summary>Loads a checkpoint with the stream's decode + micro-batch pipeline in front of it.</summary>
    public static StreamImageEmbedder Load(ModelSource source, EmbeddingStageOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        ClipEmbedder embedder;
        try
        {
            embedder = ClipEmbedder.Load(source, new EmbedderOptions { Threads = options.EmbedThreads, Device = options.Device }, loggers.CreateLogger<ClipEmbedder>());
        }
        catch (Exception e) when (e is CheckpointException or Embedding.Config.ModelConfigException or IOException or UnauthorizedAccessException
                                      or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"ClipGuard:Stream:Model: cannot load the model {source.WeightsPath}: {e.Message}", e);
        }

        int workers = options.DecodeWorkers > 0 ? options.DecodeWorkers : Environment.ProcessorCount;
        var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions
        {
            DecodeWorkers = workers,
            MaxBatch = options.EmbedBatch,
            QueueCapacity = Math.Max(256, options.EmbedBatch * 4),
            Preprocess = new PreprocessOptions { MaxPixels = options.MaxImagePixels },
        }, time, loggers.CreateLogger<ImageEmbeddingPipeline>());
        var result = new StreamImageEmbedder(embedder, pipeline);
        Log.EmbedderLoaded(loggers.CreateLogger("ClipGuard.Stream.Host"), result.ModelVersionLabel, source.WeightsPath, embedder.EmbedDim, workers, options.EmbedBatch);
        return result;
    }
}
