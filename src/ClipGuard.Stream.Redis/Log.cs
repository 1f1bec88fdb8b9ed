using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} failed ({FailureType})")]
    public static partial void ConnectionFailed(ILogger logger, string? endPoint, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string? endPoint);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Quarantine ledger unavailable during {Operation}")]
    public static partial void LedgerUnavailable(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Recorded {New} new of {Total} quarantined samples")]
    public static partial void Recorded(ILogger logger, int @new, int total);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Quarantine {Action} of {SampleId} by {Actor}: {Outcome}")]
    public static partial void Transition(ILogger logger, AuditAction action, string sampleId, string actor, TransitionOutcome outcome);
}
