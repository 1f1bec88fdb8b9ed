using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Envelope;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>A consumed message waiting for its verdict: the original bytes travel untouched to the output topic.</summary>
internal sealed record PendingMessage(ConsumeResult<byte[], byte[]> Message, StreamSample Sample, SampleEnvelope? Envelope);
