using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>Wires the Redis quarantine ledger into a host.</summary>
public static class RedisHostingExtensions
{
    /// <summary>
    /// Binds <see cref="RedisOptions"/> from <c>ClipGuard:Redis</c> (validated at start) and registers one shared
    /// <see cref="IConnectionMultiplexer"/> and <see cref="IQuarantineLedger"/> (with its <see cref="IRefusalLog"/>) on it.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardRedis(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<RedisOptions>()
            .Bind(builder.Configuration.GetSection(RedisOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp => RedisConnection.Connect(
            sp.GetRequiredService<IOptions<RedisOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RedisConnection).FullName!)));
        services.TryAddSingleton<RedisQuarantineLedger>();
        services.TryAddSingleton<IQuarantineLedger>(sp => sp.GetRequiredService<RedisQuarantineLedger>());
        services.TryAddSingleton<IRefusalLog>(sp => sp.GetRequiredService<RedisQuarantineLedger>());
        return builder;
    }
}
