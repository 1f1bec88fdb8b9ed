using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Embedding;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Loaded CLIP model {ModelId} version {Version} from {Path} in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string version, string path, long elapsedMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Created CLIP model {ModelId} with random weights (seed {Seed})")]
    public static partial void RandomModelCreated(ILogger logger, string modelId, long seed);
}
