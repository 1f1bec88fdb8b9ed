using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

public static class StreamHostingExtensions
{
    public const string ScoringSection = "ClipGuard:Scoring";

    /// <summary>
    /// The stream service: Kafka in, score, route, Redis ledger (or, without a Redis configuration, an in-memory ledger,
    /// said loudly at start). Options are bound and validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardStream(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KafkaStreamOptions>().Bind(builder.Configuration.GetSection(KafkaStreamOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KafkaStreamOptions>, KafkaStreamOptionsValidator>();
        builder.Services.AddOptions<StreamHostOptions>().Bind(builder.Configuration.GetSection(StreamHostOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StreamScorerOptions>().Bind(builder.Configuration.GetSection(ScoringSection)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StreamScorerOptions>, ScorerOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddClipGuardInstrumentation();

        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:Configuration"]))
        {
            builder.AddClipGuardRedis();
            builder.Services.TryAddSingleton(sp => new LeaderLock(
                sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix));
        }
        else
        {
            builder.Services.TryAddSingleton<IQuarantineLedger>(sp =>
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ClipGuard.Stream.Host")
                    .LogWarning("No Redis configured (ClipGuard:Redis:Configuration): the quarantine ledger is in memory and lost on exit");
                return new InMemoryQuarantineLedger(sp.GetRequiredService<TimeProvider>());
            });
        }

        builder.Services.AddSingleton(sp => new ImageEmbedding(CreateEmbedder(sp)));
        builder.Services.AddSingleton(CreateScorer);
        builder.Services.AddSingleton(sp => new StreamProcessor(
            sp.GetRequiredService<IOptions<KafkaStreamOptions>>().Value,
            sp.GetRequiredService<IOptions<StreamHostOptions>>().Value,
            sp.GetRequiredService<StreamScorer>(),
            sp.GetRequiredService<IQuarantineLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ClipGuardInstrumentation>(),
            sp.GetRequiredService<ILogger<StreamProcessor>>(),
            sp.GetRequiredService<ImageEmbedding>().Pipeline));
        builder.Services.AddHostedService<StreamWorker>();
        builder.Services.AddHostedService<RescoreWorker>();
        return builder;
    }

    private static StreamScorer CreateScorer(IServiceProvider sp)
    {
        StreamHostOptions host = sp.GetRequiredService<IOptions<StreamHostOptions>>().Value;
        StreamScorerOptions scoring = sp.GetRequiredService<IOptions<StreamScorerOptions>>().Value;
        ILogger log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("ClipGuard.Stream.Host");
        int dimension = host.Dimension;
        if (sp.GetRequiredService<ImageEmbedding>().Pipeline is { } embedding)
        {
            // Verdicts name the checkpoint that produced (or must have produced) the embedding they scored.
            dimension = embedding.EmbedDim;
            scoring.ModelVersion = embedding.ModelVersionLabel;
        }

        if (string.IsNullOrWhiteSpace(host.SeedReference))
        {
            return new StreamScorer(dimension, scoring);
        }

        Matrix<float> seed = Npy.ReadMatrixSingle(host.SeedReference);
        if (seed.Cols != dimension && sp.GetRequiredService<ImageEmbedding>().Pipeline is not null)
        {
            throw new InvalidOperationException($"The seed reference {host.SeedReference} has {seed.Cols}-d embeddings but the model {host.Model} embeds in {dimension}-d");
        }

        var scorer = new StreamScorer(seed.Cols, scoring);
        scorer.Seed(Enumerable.Range(0, seed.Rows).Select(i => $"seed-{i}").ToList(), seed);
        Log.SeedLoaded(log, host.SeedReference, seed.Rows, scorer.Threshold);
        return scorer;
    }

    /// <summary>
    /// One embedder for the process, loaded at start; a model that cannot be loaded stops the service with the reason
    /// rather than dead-lettering every image later.
    /// </summary>
    private static StreamImageEmbedder? CreateEmbedder(IServiceProvider sp)
    {
        StreamHostOptions host = sp.GetRequiredService<IOptions<StreamHostOptions>>().Value;
        if (string.IsNullOrWhiteSpace(host.Model))
        {
            return null;
        }

        ILoggerFactory loggers = sp.GetRequiredService<ILoggerFactory>();
        ClipEmbedder embedder;
        try
        {
            embedder = ClipEmbedder.Load(
                ModelSource.Resolve(host.Model, string.IsNullOrWhiteSpace(host.ModelConfig) ? null : host.ModelConfig),
                new EmbedderOptions { Threads = host.EmbedThreads },
                loggers.CreateLogger<ClipEmbedder>());
        }
        catch (Exception e) when (e is CheckpointException or Embedding.Config.ModelConfigException or IOException or UnauthorizedAccessException
                                      or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"ClipGuard:Stream:Model: cannot load the model {host.Model}: {e.Message}", e);
        }

        int workers = host.DecodeWorkers > 0 ? host.DecodeWorkers : Environment.ProcessorCount;
        var pipeline = new ImageEmbeddingPipeline(embedder, new ImageEmbeddingOptions
        {
            DecodeWorkers = workers,
            MaxBatch = host.EmbedBatch,
            QueueCapacity = Math.Max(256, host.EmbedBatch * 4),
            Preprocess = new PreprocessOptions { MaxPixels = host.MaxImagePixels },
        }, sp.GetRequiredService<TimeProvider>(), loggers.CreateLogger<ImageEmbeddingPipeline>());
        var result = new StreamImageEmbedder(embedder, pipeline);
        Log.EmbedderLoaded(loggers.CreateLogger("ClipGuard.Stream.Host"), result.ModelVersionLabel, host.Model, embedder.EmbedDim, workers, host.EmbedBatch);
        return result;
    }
}
