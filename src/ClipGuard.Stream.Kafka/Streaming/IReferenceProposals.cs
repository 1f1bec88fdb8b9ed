using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>The replicated reference log as routing sees it: offers of the samples routed clean, acknowledged before the commit.</summary>
internal interface IReferenceProposals
{
    void Propose(IReadOnlyList<StreamSample> cleared);

    /// <summary>Waits until every offer produced so far is acknowledged; throws a <see cref="Confluent.Kafka.KafkaException"/> when one was not.</summary>
    void AwaitDelivery();
}
