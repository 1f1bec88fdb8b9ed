using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// The stream loop's Kafka mechanics (consumer, router, offset commit). They keep the service's 5000-range event ids
/// they had when the loop lived in the host: operators' filters on those ids stay valid.
/// </summary>
internal static partial class StreamingLog
{
    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Partitions revoked or lost: {Partitions}; their uncommitted messages are left to the next owner")]
    public static partial void PartitionsRevoked(ILogger logger, string partitions);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string partitions);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Kafka error {Code}: {Reason}")]
    public static partial void KafkaError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Transaction aborted ({Reason}); the batch will be consumed again")]
    public static partial void TransactionAborted(ILogger logger, string reason);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "Offset commit refused during a rebalance ({Code}: {Reason}); the batch's outputs are acknowledged and will repeat for the next owner")]
    public static partial void CommitSkipped(ILogger logger, string code, string reason);
}
