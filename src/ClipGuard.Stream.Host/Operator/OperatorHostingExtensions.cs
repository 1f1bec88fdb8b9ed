using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>Wires the operator's release and reject path into a host (the service, or the CLI's short-lived one).</summary>
public static class OperatorHostingExtensions
{
    /// <summary>
    /// Registers the quarantine ledger (<see cref="RedisHostingExtensions.AddClipGuardRedis"/>), binds
    /// <see cref="KafkaStreamOptions"/> from <c>ClipGuard:Kafka</c> (validated at start), the one shared
    /// <see cref="CleanTopicPublisher"/> (its own producer, never the stream worker's), <see cref="QuarantineReleaser"/> and
    /// <see cref="CampaignDecider"/>.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardOperator(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddClipGuardRedis();
        var services = builder.Services;
        services.AddOptions<KafkaStreamOptions>()
            .Bind(builder.Configuration.GetSection(KafkaStreamOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaStreamOptions>, ReleaseKafkaOptionsValidator>());
        services.TryAddSingleton<CleanTopicPublisher>();
        services.TryAddSingleton<QuarantineReleaser>();
        services.TryAddSingleton<CampaignDecider>();
        return builder;
    }
}
