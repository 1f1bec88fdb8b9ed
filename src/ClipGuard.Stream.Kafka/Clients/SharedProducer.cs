using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Clients;

/// <summary>
/// The service's one idempotent producer (<see cref="KafkaClientFactory.SharedProducer"/>), built on first use: the
/// at-least-once stream outputs and the reference log's records go through it. Disposed with the service, after
/// delivering what is still queued (the reference log's clean-up tombstones among them).
/// </summary>
public sealed class SharedProducer(KafkaClientFactory clients, ILogger<SharedProducer> log) : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly Lazy<IProducer<byte[], byte[]>> _producer = new(() => KafkaClientFactory.BuildProducer(clients.SharedProducer(), log));

    public IProducer<byte[], byte[]> Producer => _producer.Value;

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(FlushTimeout);
            _producer.Value.Dispose();
        }
    }
}
