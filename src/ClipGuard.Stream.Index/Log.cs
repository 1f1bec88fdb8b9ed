using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Index;

internal static partial class Log
{
    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "Rebuilding the HNSW graph from {Live} live vectors, dropping {Tombstones} tombstones ({Reason})")]
    public static partial void HnswRebuilding(ILogger logger, int live, int tombstones, string reason);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Saved reference snapshot {Path}: version {Version}, {Members} members")]
    public static partial void SnapshotSaved(ILogger logger, string path, long version, int members);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information, Message = "Restored the reference set from snapshot {Path}: version {Version}, {Members} members, {Pending} in hold-back")]
    public static partial void SnapshotRestored(ILogger logger, string path, long version, int members, int pending);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "Skipping reference snapshot {Path}: {Problem}")]
    public static partial void SnapshotUnusable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Information, Message = "No reference snapshot at {Path} (nor a previous one): starting empty")]
    public static partial void NoSnapshot(ILogger logger, string path);
}
