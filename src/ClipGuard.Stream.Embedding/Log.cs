using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Embedding;

internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Loaded CLIP model {ModelId} version {Version} from {Path} in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string version, string path, long elapsedMs);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Created CLIP model {ModelId} with random weights (seed {Seed})")]
    public static partial void RandomModelCreated(ILogger logger, string modelId, long seed);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Image rejected ({ReasonCode}): {Detail}")]
    public static partial void ImageRejected(ILogger logger, string reasonCode, string detail);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "Embedding a batch of {Count} images failed")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);
}
