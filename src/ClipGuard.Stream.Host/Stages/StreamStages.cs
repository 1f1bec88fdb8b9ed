using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Kafka.Streaming;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>The stream pipeline's stages, in data order, and what lives beside them (built by <see cref="StreamPipelineFactory"/>).</summary>
internal sealed record StreamStages(
    IInputConsumer Consumer,
    BatchFiller Batches,
    EnvelopeStage Parse,
    ImageEmbedStage Embed,
    DecideStage Decide,
    HeldMessages Held,
    ReferenceImageKeeper Images,
    LedgerStage Ledger,
    RouteStage Route,
    RoutedCounters Counters,
    ReferenceUpkeep Reference,
    BetweenBatches BetweenBatches,
    IOutputProducer Producer,
    PairWindow? Window = null,
    ModelSwapStage? Swap = null,
    CampaignRecallStage? Campaigns = null);
