namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// The OpenTelemetry names of every ClipGuard instrument. The Prometheus names (docs/operations.md, the Grafana
/// dashboard) follow from these: dots become underscores, unit "s" adds "_seconds", counters add "_total".
/// </summary>
public static class MetricNames
{
    public const string SamplesRouted = "clipguard.samples.routed";
    public const string DeadLetters = "clipguard.dead_letters";
    public const string Score = "clipguard.score";
    public const string BatchSize = "clipguard.batch.size";
    public const string StageDuration = "clipguard.stage.duration";
    public const string ReferenceSize = "clipguard.reference.size";
    public const string ReferenceVersion = "clipguard.reference.version";
    public const string Threshold = "clipguard.threshold";
    public const string RescoreDrift = "clipguard.rescore.drift";
    public const string RescoreNeighbourMismatches = "clipguard.rescore.neighbour_mismatches";
    public const string RescoreEvicted = "clipguard.rescore.evicted";
    public const string RescoreEvictedShare = "clipguard.rescore.evicted_share";
    public const string CalibrationSize = "clipguard.calibration.size";
    public const string CampaignsConfirmed = "clipguard.campaigns.confirmed";
    public const string CampaignMembers = "clipguard.campaign.members";
    public const string CampaignConfirmationDelay = "clipguard.campaign.confirmation_delay";
    public const string CampaignRevocations = "clipguard.campaign.revocations";
    public const string CampaignRevocationRecalls = "clipguard.campaign.revocation_recalls";
    public const string CampaignHeldSuspects = "clipguard.campaign.held_suspects";
    public const string CampaignHeldSuspectBytes = "clipguard.campaign.held_suspect_bytes";
    public const string ConsumerLag = "clipguard.consumer.lag";
    public const string SentinelVersion = "clipguard.sentinel.version";
    public const string SentinelAge = "clipguard.sentinel.age";
    public const string ModelSwapDuration = "clipguard.model_swap.duration";
    public const string Recalls = "clipguard.recalls";
    public const string RecallDelay = "clipguard.recall.delay";
    public const string ManagedHeap = "clipguard.memory.managed_heap";
    public const string ManagedCommitted = "clipguard.memory.managed_committed";
}
