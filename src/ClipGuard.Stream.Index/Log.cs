using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Index;

internal static partial class Log
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Rebuilding the HNSW graph from {Live} live vectors, dropping {Tombstones} tombstones ({Reason})")]
    public static partial void HnswRebuilding(ILogger logger, int live, int tombstones, string reason);
}
