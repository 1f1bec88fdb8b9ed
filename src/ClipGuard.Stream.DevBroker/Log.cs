using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.DevBroker;

/// <summary>Every log line of the dev broker; event ids 9000-9099 are this project's (it left the Kafka project's
/// 1000 range when it moved out of the production library).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Message = "librdkafka {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Dev broker up: {Brokers} broker(s) at {Bootstrap} (librdkafka {Version} from {LibraryPath})")]
    public static partial void DevBrokerStarted(ILogger logger, int brokers, string bootstrap, string version, string libraryPath);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partition(s)")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Dev broker stopped")]
    public static partial void DevBrokerStopped(ILogger logger);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information,
        Message = "Broker {BrokerId} advertised at 127.0.0.1:{Port}, forwarded to its listener on port {ListenerPort}")]
    public static partial void BrokerForwarded(ILogger logger, int brokerId, int port, int listenerPort);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Debug, Message = "Forwarded connection on port {Port} ended: {Reason}")]
    public static partial void ForwardedConnectionEnded(ILogger logger, int port, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning,
        Message = "DATA LOST: the dev broker dropped the first {Dropped} messages of {Topic}[{Partition}]: librdkafka's mock keeps about {RetentionMiB} MiB per partition (fixed in librdkafka); consumers that had not read them never will. Spread the volume over more partitions (--topics NAME:PARTITIONS) or use a real Kafka")]
    public static partial void PartitionTrimmed(ILogger logger, string topic, int partition, long dropped, long retentionMiB);
}
