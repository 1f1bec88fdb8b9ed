using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>
/// The replicated reference log's lines. They keep the service's 5000-range event ids they had when the replicator
/// lived in the host: operators' filters on those ids stay valid.
/// </summary>
internal static partial class ReplicationLog
{
    [LoggerMessage(EventId = 5018, Level = LogLevel.Information, Message = "Replaying reference log {Topic} from offset {From} to {To}")]
    public static partial void ReplayStarting(ILogger logger, string topic, long from, long to);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Information, Message = "Reference log replayed to offset {Position} in {Seconds:F1} s: version {Version}, {Members} members")]
    public static partial void ReplayDone(ILogger logger, long position, double seconds, long version, int members);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Reference log record at offset {Offset} is unreadable and skipped by every replica alike: {Problem}")]
    public static partial void ReferenceRecordSkipped(ILogger logger, long offset, string problem);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Warning, Message = "Clean-up tombstone for {Id} not delivered ({Reason}); its record stays in the compacted log, which changes nothing for the reference")]
    public static partial void CleanupNotDelivered(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Information, Message = "Full re-score published {Evictions} evictions and a recalibration to {Topic}; every replica applies them in log order")]
    public static partial void RescorePublished(ILogger logger, int evictions, string topic);
}
