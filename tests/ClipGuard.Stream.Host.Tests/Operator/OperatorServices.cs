using ClipGuard.Stream.Testing;

[assembly: AssemblyFixture(typeof(ClipGuard.Stream.Host.Tests.Operator.OperatorServices))]

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>
/// One real redis-server and one dev-broker process for every operator test; tests keep apart by key prefix and
/// clean-topic name. Tests that stop Redis start their own (<see cref="RedisServerProcess"/>), never this one.
/// </summary>
public sealed class OperatorServices : IAsyncLifetime
{
    private RedisServerProcess? _redis;
    private DevBrokerProcess? _broker;

    public RedisServerProcess Redis => _redis ?? throw new InvalidOperationException("not initialised");

    public DevBrokerProcess Broker => _broker ?? throw new InvalidOperationException("not initialised");

    public static string NewPrefix() => $"op-{Guid.NewGuid():N}:";

    /// <summary>A topic of its own per test; the mock broker creates it (4 partitions) on the first produce.</summary>
    public static string NewCleanTopic() => $"clean-{Guid.NewGuid():N}";

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _broker = await DevBrokerProcess.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
