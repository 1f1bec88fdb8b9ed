using ClipGuard.Stream.Testing;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis.Tests;

/// <summary>One redis-server per test class, with a few independent connections so races really run in parallel.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const int ConnectionCount = 4;

    private readonly List<ConnectionMultiplexer> _connections = [];

    public RedisServerProcess Server { get; private set; } = null!;

    /// <summary>Connections to <see cref="Server"/>; tests isolate themselves by key prefix, not by connection.</summary>
    public IReadOnlyList<IConnectionMultiplexer> Connections => _connections;

    public static RedisOptions Options(string configuration, string prefix) => new()
    {
        Configuration = configuration,
        KeyPrefix = prefix,
        // Short, so an outage surfaces within a test's patience rather than after the production default.
        OperationTimeout = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    public async ValueTask InitializeAsync()
    {
        Server = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        for (int i = 0; i < ConnectionCount; i++)
        {
            _connections.Add(await ConnectionMultiplexer.ConnectAsync(
                RedisConnection.CreateConfiguration(Options(Server.Configuration, "unused:"))));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
