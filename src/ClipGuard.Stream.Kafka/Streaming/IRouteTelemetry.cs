using ClipGuard.Stream.Core.Pipeline;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>What routing reports to the service's telemetry (spans and stage durations), without depending on it.</summary>
internal interface IRouteTelemetry
{
    /// <summary>Starts the span of one routed message and writes its trace context into the output's headers.</summary>
    IDisposable? StartRoute(ConsumeResult<byte[], byte[]> input, Verdict verdict, string topic, Headers outputHeaders);

    /// <summary>The produce stage ended; <paramref name="startTimestamp"/> is a <see cref="TimeProvider.GetTimestamp"/> from its start.</summary>
    void ProduceDone(long startTimestamp);

    /// <summary>The commit stage ended; <paramref name="startTimestamp"/> is a <see cref="TimeProvider.GetTimestamp"/> from its start.</summary>
    void CommitDone(long startTimestamp);
}
