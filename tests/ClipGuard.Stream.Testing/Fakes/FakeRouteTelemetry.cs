using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;

namespace ClipGuard.Stream.Testing.Fakes;

/// <summary>Counts what routing reports: spans started, produce and commit stages ended.</summary>
public sealed class FakeRouteTelemetry : IRouteTelemetry
{
    public int Spans { get; private set; }

    public int Produces { get; private set; }

    public int Commits { get; private set; }

    public IDisposable? StartRoute(ConsumeResult<byte[], byte[]> input, Verdict verdict, string topic, Headers outputHeaders)
    {
        Spans++;
        return null;
    }

    public void ProduceDone(long startTimestamp) => Produces++;

    public void CommitDone(long startTimestamp) => Commits++;
}
