using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>Builds the one shared multiplexer from <see cref="RedisOptions"/>.</summary>
internal static class RedisConnection
{
    /// <remarks>
    /// <c>abortConnect</c> is forced off: Redis being down at boot must behave like an outage mid-run (the consumer
    /// pauses and the multiplexer keeps reconnecting), not like a configuration error that kills the host.
    /// </remarks>
    public static ConfigurationOptions CreateConfiguration(RedisOptions options)
    {
        var config = ConfigurationOptions.Parse(options.Configuration);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = ToMilliseconds(options.ConnectTimeout);
        config.AsyncTimeout = ToMilliseconds(options.OperationTimeout);
        config.SyncTimeout = ToMilliseconds(options.OperationTimeout);
        return config;
    }

    public static IConnectionMultiplexer Connect(RedisOptions options, ILogger logger)
    {
        var multiplexer = ConnectionMultiplexer.Connect(CreateConfiguration(options));
        multiplexer.ConnectionFailed += (_, e) => Log.ConnectionFailed(logger, e.EndPoint?.ToString(), e.FailureType, e.Exception);
        multiplexer.ConnectionRestored += (_, e) => Log.ConnectionRestored(logger, e.EndPoint?.ToString());
        return multiplexer;
    }

    private static int ToMilliseconds(TimeSpan value) => checked((int)Math.Ceiling(value.TotalMilliseconds));
}
