using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Kafka;

/// <summary>Every log line of the Kafka project; event ids 1000-1999 are this project's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Message = "librdkafka {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Delivery of {Key} to {Topic} failed: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string key, string topic, string reason);
}
