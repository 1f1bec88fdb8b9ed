using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>Composes the stream pipeline's stages over one scorer, with the service's Kafka clients, ledger and embedder.</summary>
internal sealed class StreamPipelineFactory(
    IOptions<KafkaStreamOptions> kafka,
    IOptions<ReferenceStoreOptions> reference,
    IOptions<LedgerRetryOptions> ledgerRetry,
    IOptions<ReplicationOptions> replication,
    IOptions<SentinelOptions> sentinel,
    KafkaClientFactory clients,
    SharedProducer shared,
    IQuarantineLedger ledger,
    ImageEmbedding embedding,
    ClipGuardInstrumentation telemetry,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public StreamPipeline Create(StreamScorer scorer, ReferenceSnapshotter? snapshots, ReferenceImageStore? images)
    {
        ILogger log = loggers.CreateLogger<StreamPipeline>();
        var consumer = new KafkaStreamConsumer(clients, log);

        // One producer for the service: at-least-once outputs share it with the reference log. Exactly-once needs a
        // producer of its own: a transactional producer may only produce inside its one open transaction (the stream
        // thread's batch), while the reference log also produces outside batches (tombstones, the re-score's records).
        KafkaOutputProducer producer = kafka.Value.Delivery == DeliveryMode.ExactlyOnce
            ? new KafkaOutputProducer(KafkaClientFactory.BuildProducer(clients.TransactionalProducer(), log), owned: true)
            : new KafkaOutputProducer(shared.Producer, owned: false);
        ReferenceReplicator? replicator = replication.Value.Replicate
            ? new ReferenceReplicator(clients, shared.Producer, replication.Value, scorer, time, log)
            : null;
        IOutputProducer recalls = kafka.Value.Delivery == DeliveryMode.ExactlyOnce ? new KafkaOutputProducer(shared.Producer, owned: false) : producer;
        return Compose(scorer, consumer, producer, replicator, snapshots, images, recalls);
    }

    /// <summary>The pipeline over the given clients (the service's, or a test's in-memory fakes).</summary>
    public StreamPipeline Compose(
        StreamScorer scorer, IInputConsumer consumer, IOutputProducer producer, ReferenceReplicator? replicator, ReferenceSnapshotter? snapshots, ReferenceImageStore? images,
        IOutputProducer? recallProducer = null)
    {
        KafkaStreamOptions k = kafka.Value;
        ILogger log = loggers.CreateLogger<StreamPipeline>();
        var embed = new ImageEmbedStage(
            embedding.Pipeline is { } e ? e.Pipeline.EmbedAsync : null,
            embedding.Pipeline is { } c && scorer.UsesCaptions && c.Pipeline.EmbedsCaptions ? c.Pipeline.EmbedCaptions : null);
        var upkeep = new ReferenceUpkeep(scorer, replicator, snapshots, log);
        SentinelOptions s = sentinel.Value;
        PairWindow? window = s.Enabled ? new PairWindow(s, time, log) : null;
        ModelSwapStage? swap = null;
        if (s.Enabled && (embedding.Pipeline is null || replicator is not null || images is null))
        {
            Log.ModelSwapUnavailable(log, embedding.Pipeline is null ? "no model is configured (ClipGuard:Stream:Model)"
                : replicator is not null ? "the reference is replicated (a swap would have to move every replica's reference log at once)"
                : "ClipGuard:Stream:ReferenceImages is not set (the reference could not be re-embedded)");
        }
        else if (s.Enabled)
        {
            var seed = new SeedPairs(window!.Layout);
            swap = new ModelSwapStage(embedding, embed, images, window, seed.Exists ? seed : null, s.Rejudge, s.KeepJudgements, ledger, recallProducer ?? producer, k, upkeep, telemetry, time, log);
        }

        var stages = new StreamStages(
            consumer,
            new BatchFiller(consumer, k, time),
            new EnvelopeStage(scorer.Dimension, k.MaxMessageBytes, embedding.Pipeline is not null),
            embed,
            new DecideStage(scorer, reference.Value.BootstrapTimeout, time, log),
            new HeldMessages(time),
            new ReferenceImageKeeper(images, scorer, time, log),
            new LedgerStage(ledger, consumer, ledgerRetry.Value.LedgerRetryInterval, time, log, ledgerRetry.Value.RoutePinTtl),
            new RouteStage(new Router(producer, k, telemetry, time), new OffsetCommitter(producer, consumer, k, log), producer, telemetry, time, log, replicator),
            new RoutedCounters(scorer, time, log),
            upkeep,
            new BetweenBatches(),
            producer,
            window,
            swap,
            scorer.CampaignOptions is { } campaigns
                ? new CampaignRecallStage(campaigns, new RecallPublisher(ledger, recallProducer ?? producer, k.RecallTopic), ledgerRetry.Value.LedgerRetryInterval, telemetry, time, log)
                : null);
        return new StreamPipeline(stages, k, telemetry, time, log);
    }
}
