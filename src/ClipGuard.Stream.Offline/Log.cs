using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Offline;

internal static partial class Log
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Shard {Shard}: skipped {Key} ({Reason}): {Detail}")]
    public static partial void Skipped(ILogger logger, string shard, string key, string reason, string detail);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Shard {Index} ({Shard}) already embedded: skipped")]
    public static partial void ShardAlreadyDone(ILogger logger, int index, string shard);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Shard {Index} ({Shard}): {Samples} samples embedded, {Skipped} skipped, in {ElapsedMs} ms")]
    public static partial void ShardEmbedded(ILogger logger, int index, string shard, int samples, long skipped, long elapsedMs);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Reference: {Count} samples drawn with seed {Seed} from {Total}")]
    public static partial void ReferenceDrawn(ILogger logger, int count, int seed, long total);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Information, Message = "Embedding shard {Index} already scored: skipped")]
    public static partial void ShardAlreadyScored(ILogger logger, int index);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "Embedding shard {Index}: {Rows} samples scored in {ElapsedMs} ms")]
    public static partial void ShardScored(ILogger logger, int index, int rows, long elapsedMs);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Warning, Message = "Parquet metadata {Path} could not be read, captions come from the shard only: {Detail}")]
    public static partial void ParquetUnreadable(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Information, Message = "Training resumes after epoch {Epoch} from {Checkpoint}")]
    public static partial void TrainingResumed(ILogger logger, int epoch, string checkpoint);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Information, Message = "Epoch {Epoch}: loss {Loss:0.0000}, own-caption cosine {Cosine:0.0000}, {PairsPerSecond:0.0} pairs/s; checkpoint written")]
    public static partial void EpochCheckpointed(ILogger logger, int epoch, double loss, double cosine, double pairsPerSecond);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Information, Message = "Shard {Index} ({Shard}): {Pairs} pairs published, {Skipped} skipped, in {ElapsedMs} ms")]
    public static partial void ShardPublished(ILogger logger, int index, string shard, long pairs, long skipped, long elapsedMs);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Information, Message = "Sentinel round {Version}: training on {Pairs} window pairs in {Segments} segments")]
    public static partial void SentinelRoundStarting(ILogger logger, int version, int pairs, int segments);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Information, Message = "Sentinel {Version} published ({ModelVersion}, {Pairs} pairs) after {Seconds:0.0} s")]
    public static partial void SentinelPublished(ILogger logger, int version, string modelVersion, int pairs, double seconds);
}
