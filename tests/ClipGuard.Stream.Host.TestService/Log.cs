using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.TestService;

/// <summary>The test service's own lines; event ids 9000-9099 are this project's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Test hook: the maintained k-distance of reference slot {Slot} was overwritten; this full re-score must report and repair the drift")]
    public static partial void DriftPlanted(ILogger logger, int slot);
}
