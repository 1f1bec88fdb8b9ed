using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Collects up to MaxBatchSize messages, waiting at most MaxBatchDelay after the first, and no longer than MaxBatchIdle
/// for the next one.
/// </summary>
internal sealed class BatchFiller(IStreamConsumer consumer, KafkaStreamOptions options, TimeProvider time)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Refills <paramref name="batch"/>. While it is still empty, an idle poll returns early when
    /// <paramref name="yieldWhenIdle"/> says other work is waiting.
    /// </summary>
    public void Fill(List<ConsumeResult<byte[], byte[]>> batch, Func<bool> yieldWhenIdle, CancellationToken cancel)
    {
        batch.Clear();
        long deadline = 0;
        while (batch.Count < options.MaxBatchSize && !cancel.IsCancellationRequested)
        {
            TimeSpan wait = PollInterval;
            if (batch.Count > 0)
            {
                TimeSpan remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                wait = remaining < PollInterval ? remaining : PollInterval;
                if (options.MaxBatchIdle > TimeSpan.Zero && options.MaxBatchIdle < wait)
                {
                    wait = options.MaxBatchIdle;
                }
            }

            ConsumeResult<byte[], byte[]>? cr = consumer.Consume(wait);
            if (cr is null || cr.IsPartitionEOF)
            {
                // An idle stream still yields to queued between-batch work (the re-score), to the bootstrap timeout, and
                // to the replicated log and snapshots, which change the reference while no input arrives.
                if (batch.Count == 0 && yieldWhenIdle())
                {
                    return;
                }

                if (batch.Count > 0 && cr is null && options.MaxBatchIdle > TimeSpan.Zero)
                {
                    // The burst that started this batch is over: it leaves now instead of at the batch timer.
                    break;
                }

                continue;
            }

            if (batch.Count == 0)
            {
                deadline = time.GetTimestamp() + (long)(options.MaxBatchDelay.TotalSeconds * time.TimestampFrequency);
            }

            batch.Add(cr);
        }
    }
}
