using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host;

internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Stream worker started: input {Topic}, group {Group}, delivery {Delivery}, d = {Dimension}, detector {Detector}, k = {K}")]
    public static partial void WorkerStarted(ILogger logger, string topic, string group, string delivery, int dimension, string detector, int k);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Seed reference loaded from {Path}: {Rows} rows, threshold {Threshold}")]
    public static partial void SeedLoaded(ILogger logger, string path, int rows, double threshold);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Bootstrap: {Buffered} of {Needed} samples buffered; nothing is routed or committed until the reference exists")]
    public static partial void Bootstrapping(ILogger logger, int buffered, int needed);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Bootstrap complete: reference of {Size} members, threshold {Threshold}")]
    public static partial void BootstrapComplete(ILogger logger, int size, double threshold);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Batch of {Count}: {Clean} clean, {Quarantined} quarantined, {DeadLetter} dead-letter, {Held} held")]
    public static partial void BatchRouted(ILogger logger, int count, int clean, int quarantined, int deadLetter, int held);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Quarantine ledger unavailable ({Reason}); partitions paused, nothing committed, retrying")]
    public static partial void LedgerUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Quarantine ledger reachable again after {Seconds:F1} s; partitions resumed")]
    public static partial void LedgerBack(ILogger logger, double seconds);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Routed so far: {Clean} clean, {Quarantined} quarantined, {DeadLetter} dead-letter; reference {Size} members, version {Version}, threshold {Threshold}")]
    public static partial void Progress(ILogger logger, long clean, long quarantined, long deadLetter, int size, long version, double threshold);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Full re-score (fence {Fence}): drift {Drift}; evicted {Evicted} members; threshold {Before} -> {After}; reference version {Version}")]
    public static partial void Rescored(ILogger logger, string drift, int evicted, double before, double after, long version, long fence);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "Full re-score skipped: {Reason}")]
    public static partial void RescoreSkipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Release candidates: {Count} of {Scored} recent quarantine records would now pass (never released automatically): {Ids}")]
    public static partial void ReleaseCandidates(ILogger logger, int count, int scored, string ids);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Information, Message = "Image embedder {ModelVersion} loaded from {Path}: {Dimension}-d, {DecodeWorkers} decode workers, micro-batches of {Batch}")]
    public static partial void EmbedderLoaded(ILogger logger, string modelVersion, string path, int dimension, int decodeWorkers, int batch);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information, Message = "Reference restored from snapshot (version {Version}, {Members} members, log position {Position}); the seed reference is not used")]
    public static partial void ReferenceRestored(ILogger logger, long version, int members, long position);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Reference state at log position {Position}: version {Version}, {Members} members, {Waiting} in hold-back, digest {Digest}")]
    public static partial void ReferenceDigest(ILogger logger, long position, long version, int members, int waiting, string digest);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Error, Message = "Reference snapshot failed: {Problem}")]
    public static partial void SnapshotFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = 5025, Level = LogLevel.Information, Message = "Stream queries search the reference with the {Backend} k-NN backend (members' own neighbourhoods are maintained exactly)")]
    public static partial void QueryBackend(ILogger logger, string backend);

    [LoggerMessage(EventId = 5027, Level = LogLevel.Information, Message = "Start-up: building the reference (snapshot {Snapshot}, seed {Seed}, embeddings {Model}); nothing is consumed until it is ready")]
    public static partial void BootstrapStarting(ILogger logger, string snapshot, string seed, string model);

    [LoggerMessage(EventId = 5028, Level = LogLevel.Information, Message = "Start-up done in {Seconds:F1} s: reference of {Members} members, version {Version} (bootstrapping from the stream: {Bootstrapping}); the stream worker starts")]
    public static partial void BootstrapDone(ILogger logger, int members, long version, bool bootstrapping, double seconds);

    [LoggerMessage(EventId = 5090, Level = LogLevel.Warning, Message = "The reference snapshot was built with model {Was}; this run embeds with {Now}: re-embedding {Samples} reference and hold-back samples from {Directory}")]
    public static partial void ReembedStarting(ILogger logger, string was, string now, int samples, string directory);

    [LoggerMessage(EventId = 5091, Level = LogLevel.Warning, Message = "Reference re-embedded with {Now} in {Seconds:F1} s: {Embedded} samples embedded, {Dropped} dropped ({WithoutImage} without a stored image, {Rejected} images rejected); {Members} members, version {Version}; snapshot saved")]
    public static partial void Reembedded(ILogger logger, string now, double seconds, int embedded, int dropped, int withoutImage, int rejected, int members, long version);

    [LoggerMessage(EventId = 5098, Level = LogLevel.Information, Message = "{Overridden} of {Routed} samples routed by their pinned route (delivered again after a crash or a refused commit, now scored differently)")]
    public static partial void RoutesPinned(ILogger logger, int overridden, int routed);

    [LoggerMessage(EventId = 5093, Level = LogLevel.Information, Message = "Re-embedding the reference: {Done} of {Total} samples after {Seconds:F0} s")]
    public static partial void ReembedProgress(ILogger logger, int done, int total, double seconds);

    [LoggerMessage(EventId = 5092, Level = LogLevel.Debug, Message = "Reference image store {Directory}: {Removed} images of samples outside the reference deleted")]
    public static partial void ReferenceImagesPruned(ILogger logger, int removed, string directory);

    [LoggerMessage(EventId = 5094, Level = LogLevel.Information, Message = "{Kernel}")]
    public static partial void BlasKernel(ILogger logger, string kernel);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Information, Message = "Admission guard: {Members} members drawn from the {Rows} starting rows (ClipGuard:Scoring:GuardSize {Cap}; 0 = all)")]
    public static partial void GuardBuilt(ILogger logger, int members, int rows, int cap);

    [LoggerMessage(EventId = 5099, Level = LogLevel.Information, Message = "Start-up build's transient memory returned: resident {BeforeMib:F0} MiB before one aggressive collection, {AfterMib:F0} MiB after")]
    public static partial void StartupMemoryReturned(ILogger logger, double beforeMib, double afterMib);

    [LoggerMessage(EventId = 5095, Level = LogLevel.Warning, Message = "Campaign {Campaign} confirmed over sample {Sample}, routed clean earlier: revoked (from the reference or its hold-back: {FromReference}; from the calibration pool: {FromCalibration})")]
    public static partial void CampaignRevoked(ILogger logger, string campaign, string sample, bool fromReference, bool fromCalibration);

    [LoggerMessage(EventId = 5096, Level = LogLevel.Information, Message = "Seed folder {Folder} embedded by the service's model: {Pairs} pairs ({Skipped} skipped while reading, {Rejected} images rejected); captions {Captions}")]
    public static partial void SeedFolderEmbedded(ILogger logger, string folder, int pairs, long skipped, int rejected, string captions);

    [LoggerMessage(EventId = 5097, Level = LogLevel.Warning, Message = "The false-quarantine budget {Budget} is below the smallest p-value the calibration can give ({Smallest:G3} with {Scores} calibration scores): the budget rule quarantines nothing until it holds {Needed} (confirmed campaigns still quarantine); give a larger --seed-reference or a larger --false-quarantine-rate")]
    public static partial void BudgetUnreachable(ILogger logger, double budget, double smallest, int scores, int needed);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning, Message = "The false-quarantine budget {Budget} cannot be held with confidence {Confidence} on {Scores} calibration scores: the budget rule quarantines nothing until the calibration holds {Needed} per signal (campaigns still quarantine); give a larger --seed-reference, a larger --false-quarantine-rate or a lower --budget-confidence")]
    public static partial void BudgetUnreachableWithConfidence(ILogger logger, double budget, double confidence, int scores, int needed);

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Sentinel checkpoint v{Version} ({Model}) loaded at start from {Directory} instead of the configured model")]
    public static partial void SentinelLoadedAtStart(ILogger logger, int version, string model, string directory);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Sentinel checkpoint {Directory} refused: {Reason}")]
    public static partial void SentinelModelRefused(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Window segment {Segment} closed with {Pairs} pairs; the closed window holds {WindowPairs}")]
    public static partial void WindowSegmentClosed(ILogger logger, string segment, int pairs, int windowPairs);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Window segment {Segment} ({Pairs} pairs) deleted: the window is full")]
    public static partial void WindowSegmentPruned(ILogger logger, string segment, int pairs);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Model swap to sentinel v{Version} starting: {From} -> {To}, {Members} members to re-embed, {Provisional} provisional samples to judge again")]
    public static partial void ModelSwapStarting(ILogger logger, int version, string from, string to, int members, int provisional);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Model swapped {From} -> {To} in {Seconds:0.0} s: {Reembedded} members re-embedded ({WithoutImage} without a stored image), {Evicted} evicted by the new space's re-score; {Judged} provisional samples judged again, {Recalled} recalled")]
    public static partial void ModelSwapped(ILogger logger, string from, string to, double seconds, int reembedded, int withoutImage, int evicted, int judged, int recalled);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Recalled {Sample} (routed clean under {From}): model {To} scores it {Score:G4}, p = {PValue:G3}, campaign {Campaign}")]
    public static partial void SampleRecalled(ILogger logger, string sample, string from, string to, double score, double pValue, string campaign);

    [LoggerMessage(EventId = 5117, Level = LogLevel.Information, Message = "The provisional window is judged against the seed's fitting half ({Pairs} pairs the sentinel trained on, like the window); campaigns among them: {Campaigns}")]
    public static partial void WindowJudgedAgainstFittingSeed(ILogger logger, int pairs, bool campaigns);

    [LoggerMessage(EventId = 5120, Level = LogLevel.Information, Message = "Sentinel v{Version}'s judgement of the window grouped the clean samples with {Quarantined} samples of the window quarantined already (evidence for campaigns, never recalled)")]
    public static partial void QuarantinedEvidence(ILogger logger, int quarantined, int version);

    [LoggerMessage(EventId = 5119, Level = LogLevel.Warning, Message = "With FitSeedShare {Share} the seed's {Pairs} pairs split into {Calibrating} that calibrate arrivals and {Fitting} that judge the window after a swap; the budget {Budget} needs {Needed} calibration scores, so after the first swap the budget rule quarantines nothing where a half is smaller (confirmed campaigns still do): give a seed of at least twice that, or FitSeedShare 0")]
    public static partial void SeedHalvesBelowBudget(ILogger logger, double share, int pairs, int calibrating, int fitting, double budget, int needed);

    [LoggerMessage(EventId = 5118, Level = LogLevel.Information, Message = "The swap's {Judged} judgements were written to {File} (ClipGuard:Sentinel:KeepJudgements)")]
    public static partial void JudgementsWritten(ILogger logger, int judged, string file);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "Model swap to sentinel v{Version} failed, the stream stays on {Model}: {Reason}")]
    public static partial void ModelSwapFailed(ILogger logger, int version, string model, string reason);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Sentinel checkpoints are not swapped in: {Reason}")]
    public static partial void ModelSwapUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Error, Message = "{Count} recalls not delivered yet (retried at the next sentinel poll): {Reason}")]
    public static partial void RecallsUndelivered(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Sentinel v{Version}: swapped in, {Recalled} of {Judged} provisional samples recalled, the stream held for {Seconds:0.0} s")]
    public static partial void SentinelSwappedIn(ILogger logger, int version, int recalled, int judged, double seconds);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "Sentinel v{Version} was swapped in before a restart that interrupted its recalls: {Judged} provisional samples judged again, {Recalled} recalled")]
    public static partial void WindowRejudged(ILogger logger, int version, int judged, int recalled);

    [LoggerMessage(EventId = 5116, Level = LogLevel.Warning, Message = "Campaigns by image are off: the trusted start has {Members} members, fewer than {Minimum} (ClipGuard:Scoring:Campaigns:MinimumTrustedStart; a small start lets campaigns take in clean samples, docs/detection.md); give a larger --seed-reference")]
    public static partial void CampaignsHeldBack(ILogger logger, int members, int minimum);

    [LoggerMessage(EventId = 5114, Level = LogLevel.Error, Message = "Campaign {Campaign} revoked sample {Sample}, routed clean earlier, but its message is no longer held ({Held} suspects routed clean held, at most {Window}): not recalled, its clean copy stands; look it up by id downstream")]
    public static partial void CampaignRevocationNotRecalled(ILogger logger, string campaign, string sample, int held, int window);

    [LoggerMessage(EventId = 5115, Level = LogLevel.Error, Message = "{Count} campaign recalls not delivered yet (retried between batches every {Seconds:0.#} s): {Reason}")]
    public static partial void CampaignRecallsUndelivered(ILogger logger, int count, double seconds, string reason);
}
