using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Kafka.Tests.Integration;

/// <summary>One dev-broker process shared by the round-trip tests of a class, stopped when the class is done.</summary>
public sealed class DevBrokerFixture : IAsyncLifetime
{
    public const string HeaderTopic = "roundtrip.headers";
    public const int PairsPartitions = 3;
    public const int HeaderTopicPartitions = 5;

    private DevBrokerProcess? _broker;

    public DevBrokerProcess Broker => _broker ?? throw new InvalidOperationException("the fixture is not initialised");

    public async ValueTask InitializeAsync()
    {
        _broker = await DevBrokerProcess.StartAsync(
            ["--topics", $"clipguard.pairs:{PairsPartitions},{HeaderTopic}:{HeaderTopicPartitions}"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
