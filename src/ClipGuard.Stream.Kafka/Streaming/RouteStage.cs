using ClipGuard.Stream.Core.Pipeline;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Route, then commit: every decided message goes to exactly one output topic before its offset moves. At-least-once
/// commits offsets only after every output of the batch (and every reference offer) was acknowledged; exactly-once
/// puts outputs and offsets in one transaction, aborted (and the batch consumed again) when anything fails.
/// </summary>
internal sealed class RouteStage(Router router, OffsetCommitter committer, IOutputProducer producer, IRouteTelemetry telemetry, TimeProvider time, ILogger log, IReferenceProposals? proposals = null)
{
    /// <summary>Once, before the first batch: an exactly-once producer fences older instances of its transactional id.</summary>
    public void Start()
    {
        if (committer.ExactlyOnce)
        {
            producer.InitTransactions(Router.FlushTimeout);
        }
    }

    public void Route(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided, IReadOnlyDictionary<TopicPartition, Offset> offsets, IReadOnlyList<StreamSample> cleared)
    {
        if (committer.ExactlyOnce)
        {
            producer.BeginTransaction();
        }

        try
        {
            long stage = time.GetTimestamp();
            router.Produce(decided);

            // Offers of this batch's clean samples are acknowledged before its inputs are committed: a crash in
            // between repeats the batch (and the offers, which the admission rule ignores when already known).
            proposals?.Propose(cleared);
            if (!committer.ExactlyOnce)
            {
                // At-least-once: nothing is acknowledged upstream until every output is acknowledged downstream.
                router.AwaitAcknowledged();
            }

            proposals?.AwaitDelivery();
            telemetry.ProduceDone(stage);
            stage = time.GetTimestamp();
            committer.Commit(offsets);
            telemetry.CommitDone(stage);
        }
        catch (KafkaException e) when (committer.ExactlyOnce)
        {
            StreamingLog.TransactionAborted(log, e.Error.Reason);
            producer.AbortTransaction(Router.FlushTimeout);
            throw;
        }
    }
}
