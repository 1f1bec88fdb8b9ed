using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Consumer lag without a broker round trip: per assigned partition, the high watermark the consumer cached from
/// its last fetch minus its position. Partitions not fetched yet (no cached watermark or no position) are left
/// out rather than guessed, so a freshly assigned backlog shows up after the first fetch.
/// </summary>
internal static class ConsumerLagProbe
{
    public static long Measure(IConsumer<byte[], byte[]> consumer)
    {
        long total = 0;
        foreach (TopicPartition tp in consumer.Assignment)
        {
            try
            {
                WatermarkOffsets w = consumer.GetWatermarkOffsets(tp);
                Offset position = consumer.Position(tp);
                if (w.High.IsSpecial || position.IsSpecial)
                {
                    continue;
                }

                total += Math.Max(0, w.High.Value - position.Value);
            }
            catch (KafkaException)
            {
                // Revoked between reading the assignment and asking about it: no lag of ours.
            }
        }

        return total;
    }
}
