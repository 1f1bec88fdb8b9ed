using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Index;
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

    /// <summary>The section of the stream's own stages: <see cref="ReferenceStoreOptions"/>, <see cref="EmbeddingStageOptions"/>,
    /// <see cref="ReplicationOptions"/>, <see cref="RescoreOptions"/> and <see cref="LedgerRetryOptions"/> all bind from it.</summary>
    public const string StreamSection = ReferenceStoreOptions.Section;

    /// <summary>
    /// The stream service: Kafka in, score, route, Redis ledger (or, without a Redis configuration, an in-memory ledger,
    /// said loudly at start). Options are bound and validated at start; the reference is built by
    /// <see cref="ReferenceBootstrapper"/> before the stream worker consumes anything.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardStream(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<KafkaStreamOptions>().Bind(builder.Configuration.GetSection(KafkaStreamOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaStreamOptions>, KafkaStreamOptionsValidator>();
        services.AddOptions<StreamScorerOptions>().Bind(builder.Configuration.GetSection(ScoringSection)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StreamScorerOptions>>(new SelfCheckingOptionsValidator<StreamScorerOptions>(o => o.Validate()));
        services.AddOptions<KnnIndexOptions>().Bind(builder.Configuration.GetSection(IndexSection)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KnnIndexOptions>>(new SelfCheckingOptionsValidator<KnnIndexOptions>(o => o.Validate()));
        AddStageOptions<ReferenceStoreOptions>(builder).ValidateDataAnnotations();
        services.AddSingleton<IValidateOptions<ReferenceStoreOptions>, ReferenceStoreOptionsValidator>();
        AddStageOptions<EmbeddingStageOptions>(builder).ValidateDataAnnotations();
        AddStageOptions<ReplicationOptions>(builder);
        services.AddSingleton<IValidateOptions<ReplicationOptions>, ReplicationOptionsValidator>();
        AddStageOptions<RescoreOptions>(builder).ValidateDataAnnotations();
        AddStageOptions<LedgerRetryOptions>(builder);
        services.AddSingleton<IValidateOptions<LedgerRetryOptions>, LedgerRetryOptionsValidator>();
        services.AddOptions<SentinelOptions>().Bind(builder.Configuration.GetSection(SentinelOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SentinelOptions>, SentinelOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<KafkaStreamOptions>>(sp => new PostConfigureOptions<KafkaStreamOptions>(Options.DefaultName, o =>
        {
            // Verdicts are provisional exactly when a sentinel may recall them.
            SentinelOptions sentinel = sp.GetRequiredService<IOptions<SentinelOptions>>().Value;
            if (sentinel.Enabled)
            {
                o.ProvisionalWindow = sentinel.ProvisionalWindow;
            }
        }));
        services.TryAddSingleton(TimeProvider.System);
        builder.AddClipGuardInstrumentation();
        AddLedger(builder);

        services.TryAddSingleton(sp => new KafkaClientFactory(sp.GetRequiredService<IOptions<KafkaStreamOptions>>().Value));
        services.TryAddSingleton<SharedProducer>();
        services.AddSingleton(sp => ImageEmbeddingFactory.Create(
            sp.GetRequiredService<IOptions<EmbeddingStageOptions>>().Value, sp.GetRequiredService<IOptions<SentinelOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ReferenceLoader>();
        services.AddSingleton<StreamPipelineFactory>();
        services.AddSingleton<StreamReady>();
        services.TryAddSingleton<IReferenceRescorer, ReferenceRescorer>();

        // Hosted services start in registration order: the reference is ready before the stream worker starts.
        services.AddHostedService<ReferenceBootstrapper>();
        services.AddHostedService<StreamWorker>();
        services.AddHostedService<RescoreWorker>();
        services.AddHostedService<SentinelWatcher>();
        return builder;
    }

    private static OptionsBuilder<TOptions> AddStageOptions<TOptions>(IHostApplicationBuilder builder)
        where TOptions : class =>
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(StreamSection)).ValidateOnStart();

    private static void AddLedger(IHostApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:Configuration"]))
        {
            builder.AddClipGuardRedis();
            builder.Services.TryAddSingleton(sp => new LeaderLock(
                sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix));
            return;
        }

        builder.Services.TryAddSingleton<IQuarantineLedger>(sp =>
        {
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ClipGuard.Stream.Host")
                .LogWarning("No Redis configured (ClipGuard:Redis:Configuration): the quarantine ledger is in memory and lost on exit");
            return new InMemoryQuarantineLedger(sp.GetRequiredService<TimeProvider>());
        });
    }
}
