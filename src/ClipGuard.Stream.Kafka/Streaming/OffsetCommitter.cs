using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Moves the input offsets once a batch's outputs are safe: exactly-once commits them with the outputs in the open
/// transaction; at-least-once commits them on the consumer after the outputs were acknowledged.
/// </summary>
internal sealed class OffsetCommitter(IOutputProducer producer, IStreamConsumer consumer, KafkaStreamOptions options, ILogger log)
{
    public bool ExactlyOnce => options.Delivery == DeliveryMode.ExactlyOnce;

    public void Commit(IReadOnlyDictionary<TopicPartition, Offset> offsets)
    {
        if (ExactlyOnce)
        {
            if (offsets.Count > 0)
            {
                producer.SendOffsetsToTransaction(offsets.Select(o => new TopicPartitionOffset(o.Key, o.Value)), consumer.GroupMetadata, Router.FlushTimeout);
            }

            producer.CommitTransaction(Router.FlushTimeout);
            return;
        }

        if (offsets.Count == 0)
        {
            return;
        }

        HashSet<TopicPartition> assigned = [.. consumer.Assignment];
        var mine = offsets.Where(o => assigned.Contains(o.Key)).Select(o => new TopicPartitionOffset(o.Key, o.Value)).ToList();
        if (mine.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(mine);
        }
        catch (KafkaException e) when (e.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration
            or ErrorCode.UnknownMemberId or ErrorCode.Local_State or ErrorCode.Local_NoOffset)
        {
            // The group is rebalancing: these partitions may belong to another member by now. The outputs
            // are acknowledged, so nothing is lost; the next owner consumes from the last commit and
            // repeats some outputs, which at-least-once allows (consumers deduplicate by key).
            StreamingLog.CommitSkipped(log, e.Error.Code.ToString(), e.Error.Reason);
        }
    }
}
