namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>The outcome of one <c>clipguard embed</c> process: shards done now, shards found done, and the counts.</summary>
public sealed record EmbedReport(
    int ShardsTotal,
    int ShardsEmbedded,
    int ShardsAlreadyDone,
    long Samples,
    long Decoded,
    SortedDictionary<string, long> Skipped,
    TimeSpan Wall,
    EmbedTimings Timings,
    string ModelId,
    string ModelVersion,
    string Weights);
