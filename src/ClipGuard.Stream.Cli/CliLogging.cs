using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli;

/// <summary>Logging for verbs: everything to stderr, so stdout carries only a verb's machine-readable output.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => Configure(builder, minimum));

    /// <summary>The same setup for verbs that build a host (whose default console logger would write to stdout).</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevel minimum) => builder
        .SetMinimumLevel(minimum)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}
