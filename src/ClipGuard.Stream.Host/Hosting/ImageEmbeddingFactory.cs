using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Worker;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// One embedder for the process, loaded at start; a model that cannot be loaded stops the service with the reason
/// rather than dead-lettering every image later.
/// </summary>
internal static class ImageEmbeddingFactory
{
    public static ImageEmbedding Create(EmbeddingStageOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            return new ImageEmbedding(null);
        }

        ClipEmbedder embedder;
        try
        {
            embedder = ClipEmbedder.Load(
                ModelSource.Resolve(options.Model, string.IsNullOrWhiteSpace(options.ModelConfig) ? null : options.ModelConfig),
                new EmbedderOptions { Threads = options.EmbedThreads },
                loggers.CreateLogger<ClipEmbedder>());
        }
        catch (Exception e) when (e is CheckpointException or Embedding.Config.ModelConfigException or IOException or UnauthorizedAccessException
                                      or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"ClipGuard:Stream:Model: cannot load the model {options.Model}: {e.Message}", e);
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
        Log.EmbedderLoaded(loggers.CreateLogger("ClipGuard.Stream.Host"), result.ModelVersionLabel, options.Model, embedder.EmbedDim, workers, options.EmbedBatch);
        return new ImageEmbedding(result);
    }
}
