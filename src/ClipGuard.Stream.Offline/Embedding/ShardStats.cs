namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>What embedding one input shard produced: rows written and members skipped per reason.</summary>
public sealed record ShardStats(int Index, string Input, int Samples, int Dimension, bool Text, SortedDictionary<string, long> Skipped);
