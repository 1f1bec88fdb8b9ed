using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>Log lines of the operator release path and its HTTP API; event ids 6000-6099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "{Actor} released {SampleId} to {Topic} [{Partition}] @{Offset}")]
    public static partial void Released(ILogger logger, string actor, string sampleId, string topic, int partition, long offset);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "{Actor} took over the expired release claim of {SampleId}: the clean topic may now hold two copies of it")]
    public static partial void ReclaimedExpired(ILogger logger, string actor, string sampleId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error,
        Message = "Republishing {SampleId} to {Topic} failed ({Persistence}): {Reason}; giving the release claim back")]
    public static partial void PublishFailed(ILogger logger, string sampleId, string topic, string persistence, string reason, Exception exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Ledger unavailable while {Step} of {SampleId}; retrying in {Delay}")]
    public static partial void LedgerRetry(ILogger logger, string step, string sampleId, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error,
        Message = "{SampleId} was republished but its release could not be confirmed before the claim expired at {ExpiresAt}; " +
                  "it stays releasing until then, and the next release republishes it")]
    public static partial void ConfirmAbandoned(ILogger logger, string sampleId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning,
        Message = "{SampleId}: the release claim expired before the confirm ({Outcome}); another release took it over and republishes too")]
    public static partial void ClaimLost(ILogger logger, string sampleId, TransitionOutcome outcome);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "{Actor} rejected {SampleId}: {Outcome}")]
    public static partial void Rejected(ILogger logger, string actor, string sampleId, OperatorOutcome outcome);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Release producer error {Code}: {Reason}")]
    public static partial void ProducerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 6008, Message = "librdkafka {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Warning, Message = "Operator API call {Path} failed: quarantine ledger unavailable")]
    public static partial void ApiLedgerUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Warning, Message = "Operator API: rejected a bearer token from {RemoteAddress}")]
    public static partial void ApiBadToken(ILogger logger, string? remoteAddress);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Warning, Message = "Operator API: {RemoteAddress} presented {Count} wrong bearer tokens within {WindowSeconds} s and is refused (429) until the window moves on")]
    public static partial void ApiTokenLockout(ILogger logger, string remoteAddress, int count, double windowSeconds);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Debug, Message = "Operator API: refused a call from {RemoteAddress} while it is locked out")]
    public static partial void ApiTokenThrottled(ILogger logger, string remoteAddress);

    [LoggerMessage(EventId = 6024, Level = LogLevel.Information, Message = "Operator API: refused {Method} {Path} from {RemoteAddress} with {Status} ({Reason})")]
    public static partial void ApiCallRefused(ILogger logger, string method, string path, string remoteAddress, int status, string reason);

    [LoggerMessage(EventId = 6025, Level = LogLevel.Warning, Message = "Operator API: the refusal of {Method} {Path} from {RemoteAddress} could not be audited: quarantine ledger unavailable")]
    public static partial void ApiRefusalNotAudited(ILogger logger, string method, string path, string remoteAddress, Exception exception);

    [LoggerMessage(EventId = 6026, Level = LogLevel.Warning, Message = "Operator API: {RemoteAddress} made more than {Limit} decision calls within a minute and is refused (429)")]
    public static partial void ApiDecisionsThrottled(ILogger logger, string remoteAddress, int limit);

    [LoggerMessage(EventId = 6027, Level = LogLevel.Information,
        Message = "{Actor} decided campaign {Campaign} ({Decision}): {Applied} applied, {Skipped} skipped, {Failed} failed")]
    public static partial void CampaignDecided(ILogger logger, string actor, QuarantineStatus decision, string campaign, long applied, long skipped, long failed);

    [LoggerMessage(EventId = 6028, Level = LogLevel.Warning,
        Message = "{Actor}'s decision on campaign {Campaign} ({Decision}) stopped after {Applied} members: {Reason}; the rest stay quarantined")]
    public static partial void CampaignDecisionStopped(ILogger logger, string actor, QuarantineStatus decision, string campaign, long applied, string reason);
}
