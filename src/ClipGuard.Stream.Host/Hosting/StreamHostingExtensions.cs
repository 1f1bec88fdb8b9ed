using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Index;
using ClipGuard.Stream.Index.Persistence;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Replication;
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

    /// <summary>The k-NN backend of stream queries (<see cref="KnnIndexOptions"/>); Exact unless configured.</summary>
    public const string IndexSection = "ClipGuard:Index";

    /// <summary>
    /// The stream service: Kafka in, score, route, Redis ledger (or, without a Redis configuration, an in-memory ledger,
    /// said loudly at start). Options are bound and validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardStream(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KafkaStreamOptions>().Bind(builder.Configuration.GetSection(KafkaStreamOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KafkaStreamOptions>, KafkaStreamOptionsValidator>();
        builder.Services.AddOptions<StreamHostOptions>().Bind(builder.Configuration.GetSection(StreamHostOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StreamHostOptions>, StreamHostOptionsValidator>();
        builder.Services.AddOptions<StreamScorerOptions>().Bind(builder.Configuration.GetSection(ScoringSection)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StreamScorerOptions>>(new SelfCheckingOptionsValidator<StreamScorerOptions>(o => o.Validate()));
        builder.Services.AddOptions<KnnIndexOptions>().Bind(builder.Configuration.GetSection(IndexSection)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KnnIndexOptions>>(new SelfCheckingOptionsValidator<KnnIndexOptions>(o => o.Validate()));
        builder.Services.AddOptions<ReplicationOptions>().Bind(builder.Configuration.GetSection(StreamHostOptions.Section)).ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new KafkaClientFactory(sp.GetRequiredService<IOptions<KafkaStreamOptions>>().Value));
        builder.Services.TryAddSingleton<SharedProducer>();
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
        builder.Services.AddSingleton(sp => WithQueryIndex(CreateScorer(sp), sp));
        builder.Services.AddSingleton<StreamPipelineFactory>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<StreamPipelineFactory>().Create(
            sp.GetRequiredService<StreamScorer>(),
            SnapshotStore(sp) is { } store
                ? new ReferenceSnapshotter(store, sp.GetRequiredService<IOptions<StreamHostOptions>>().Value.SnapshotInterval, sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger<ReferenceSnapshotter>())
                : null,
            ReferenceImages(sp)));
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

        StreamImageEmbedder? embedder = sp.GetRequiredService<ImageEmbedding>().Pipeline;
        if (SnapshotStore(sp) is { } snapshots && snapshots.LoadLatest<float>() is { } restored)
        {
            if (embedder is not null && restored.ModelVersion is { } was && was != embedder.ModelVersionLabel)
            {
                restored = Reembedded(restored, embedder, ReferenceImages(sp), snapshots, host, log);
            }

            return WithModel(Restored(restored, host, scoring, dimension, embedder is not null, log), embedder);
        }

        if (string.IsNullOrWhiteSpace(host.SeedReference))
        {
            return WithModel(new StreamScorer(dimension, scoring) { ReplicatedAdmission = host.Replicate }, embedder);
        }

        Matrix<float> seed = Npy.ReadMatrixSingle(host.SeedReference);
        if (seed.Cols != dimension && sp.GetRequiredService<ImageEmbedding>().Pipeline is not null)
        {
            throw new InvalidOperationException($"The seed reference {host.SeedReference} has {seed.Cols}-d embeddings but the model {host.Model} embeds in {dimension}-d");
        }

        var scorer = new StreamScorer(seed.Cols, scoring) { ReplicatedAdmission = host.Replicate };
        scorer.Seed(Enumerable.Range(0, seed.Rows).Select(i => $"seed-{i}").ToList(), seed);
        Log.SeedLoaded(log, host.SeedReference, seed.Rows, scorer.Threshold);
        return WithModel(scorer, embedder);
    }

    /// <summary>Records which checkpoint's space the reference lives in (unknown when messages carry their own embeddings).</summary>
    private static StreamScorer WithModel(StreamScorer scorer, StreamImageEmbedder? embedder)
    {
        if (embedder is not null)
        {
            scorer.Reference.ModelVersion = embedder.ModelVersionLabel;
        }

        return scorer;
    }

    /// <summary>
    /// The snapshot was built under another checkpoint: distances between two models' spaces mean nothing, so the
    /// reference is re-embedded from its stored images before anything is scored, and saved at once (a crash after
    /// this does not repeat the work). Without stored images, or under replication (each replica would re-embed on its
    /// own, and the log still holds offers in the old space), the start stops and says what to do.
    /// </summary>
    private static ReferenceSet<float> Reembedded(
        ReferenceSet<float> restored, StreamImageEmbedder embedder, ReferenceImageStore? images, ReferenceSnapshotStore snapshots, StreamHostOptions host, ILogger log)
    {
        string was = restored.ModelVersion!, now = embedder.ModelVersionLabel;
        if (host.Replicate)
        {
            throw new OptionsValidationException(StreamHostOptions.Section, typeof(StreamHostOptions),
                [$"the reference snapshot {host.SnapshotPath} was built with model {was}, this run embeds with {now}, and the reference is replicated: "
                 + "stop every replica, run one without --replicate and with --reference-images to re-embed and save the snapshot, "
                 + "then start all replicas from copies of that snapshot with a new, empty --reference-topic (see docs/embedding.md)"]);
        }

        if (images is null)
        {
            throw new OptionsValidationException(StreamHostOptions.Section, typeof(StreamHostOptions),
                [$"the reference snapshot {host.SnapshotPath} was built with model {was}, this run embeds with {now}: re-embedding the reference needs its images "
                 + "(--reference-images, kept by the run that built it); or move the snapshot away to start from the seed"]);
        }

        ReferenceSetState<float> state = restored.ExportState();
        Log.ReembedStarting(log, was, now, state.Members.Count + state.HoldBack.Count, images.Directory);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        ReembedReport report = ReferenceReembedder.ReembedAsync(state, images, embedder.Pipeline, embedder.EmbedDim).GetAwaiter().GetResult();
        ReferenceSet<float> moved = ReferenceSet<float>.Restore(report.Result.State);
        snapshots.Save(moved);
        Log.Reembedded(log, now, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds, report.Embedded, report.Result.Dropped.Count,
            report.WithoutImage, report.Rejected.Count, moved.Count, moved.Version);
        return moved;
    }

    private static ReferenceImageStore? ReferenceImages(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<StreamHostOptions>>().Value.ReferenceImages is { Length: > 0 } directory ? new ReferenceImageStore(directory) : null;

    /// <summary>
    /// Attaches the configured ANN backend to the reference's query search (members' own neighbourhoods stay exact).
    /// The index lives as long as the scorer, which is the process's (the operating system reclaims native memory at exit).
    /// </summary>
    private static StreamScorer WithQueryIndex(StreamScorer scorer, IServiceProvider sp)
    {
        KnnIndexOptions configured = sp.GetRequiredService<IOptions<KnnIndexOptions>>().Value;
        if (configured.Backend != KnnBackend.Exact)
        {
            var options = new KnnIndexOptions
            {
                Backend = configured.Backend,
                Dimension = scorer.Dimension,
                Metric = scorer.Reference.Options.Metric,
                Threads = configured.Threads,
                IvfLists = configured.IvfLists,
                IvfProbes = configured.IvfProbes,
                HnswM = configured.HnswM,
                HnswEfConstruction = configured.HnswEfConstruction,
                HnswEfSearch = configured.HnswEfSearch,
                HnswRebuildFraction = configured.HnswRebuildFraction,
            };
            ILoggerFactory loggers = sp.GetRequiredService<ILoggerFactory>();
            scorer.Reference.Model.AttachQueryIndex(new IndexedQueryCandidates(KnnIndexFactory.Create(options, loggers.CreateLogger("ClipGuard.Stream.Index"))));
        }

        Log.QueryBackend(sp.GetRequiredService<ILoggerFactory>().CreateLogger("ClipGuard.Stream.Host"), configured.Backend.ToString());
        return scorer;
    }

    /// <summary>The snapshot store when snapshots are configured (its loads and saves log what they did).</summary>
    private static ReferenceSnapshotStore? SnapshotStore(IServiceProvider sp)
    {
        string? path = sp.GetRequiredService<IOptions<StreamHostOptions>>().Value.SnapshotPath;
        return string.IsNullOrWhiteSpace(path)
            ? null
            : new ReferenceSnapshotStore(path, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ReferenceSnapshotStore>());
    }

    /// <summary>
    /// A scorer over a restored reference. The snapshot's reference options must be this run's: a different k,
    /// capacity or admission rule would score and admit unlike the replicas (and the run) that made the snapshot.
    /// </summary>
    private static StreamScorer Restored(ReferenceSet<float> restored, StreamHostOptions host, StreamScorerOptions scoring, int dimension, bool embedder, ILogger log)
    {
        ReferenceSetOptions saved = restored.Options, asked = scoring.Reference;
        var differences = new List<string>();
        void Compare<TValue>(string name, TValue was, TValue now)
        {
            if (!EqualityComparer<TValue>.Default.Equals(was, now))
            {
                differences.Add($"{name} {was} (snapshot) vs {now} (this run)");
            }
        }

        Compare("K", saved.K, asked.K);
        Compare("Capacity", saved.Capacity, asked.Capacity);
        Compare("Metric", saved.Metric, asked.Metric);
        Compare("Policy", saved.Policy, asked.Policy);
        Compare("HoldBack", saved.HoldBack, asked.HoldBack);
        Compare("MaxSourceShare", saved.MaxSourceShare, asked.MaxSourceShare);
        Compare("Seed", saved.Seed, asked.Seed);
        if (embedder || string.IsNullOrWhiteSpace(host.SeedReference))
        {
            Compare("dimension", restored.Model.Dimension, dimension);
        }

        if (differences.Count > 0)
        {
            throw new OptionsValidationException(StreamHostOptions.Section, typeof(StreamHostOptions),
                [$"the reference snapshot {host.SnapshotPath} was made with other reference options: {string.Join("; ", differences)}. Start with the same options, or move the snapshot away to start from the seed"]);
        }

        var scorer = new StreamScorer(restored, scoring) { ReplicatedAdmission = host.Replicate };
        Log.ReferenceRestored(log, restored.Version, restored.Count, restored.LogPosition);
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
