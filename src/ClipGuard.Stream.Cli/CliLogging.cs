using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli;

/// <summary>Logging for verbs: everything to stderr, so stdout carries only a verb's machine-readable output.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
