namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// One input shard. <paramref name="Index"/> is its position among the dataset's shards sorted by name: the {i} of
/// the output files, stable as long as the input folder is. <paramref name="Parquet"/> is img2dataset's sibling
/// 00000.parquet when present.
/// </summary>
public sealed record InputShard(int Index, string Name, string Path, ShardKind Kind, long Bytes, string? Parquet);
