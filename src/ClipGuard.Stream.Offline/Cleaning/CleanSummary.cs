namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>summary.json: what was scored, how, what is removed, the most suspicious samples and caption bursts.</summary>
public sealed record CleanSummary(
    long Samples,
    int Shards,
    SortedDictionary<string, long> SkippedWhileEmbedding,
    CleanConfig Config,
    ScoreQuantiles Scores,
    string RemovalRule,
    int Removed,
    double? RemovalThreshold,
    IReadOnlyList<SuspiciousSample> Top,
    IReadOnlyList<CaptionBurst> Bursts);

/// <summary>The score distribution at a glance.</summary>
public sealed record ScoreQuantiles(double Min, double P50, double P90, double P99, double Max);

/// <summary>One of the highest-scoring samples, with what a reviewer needs to judge it.</summary>
public sealed record SuspiciousSample(int Rank, string Id, double Score, string Caption, string? Source);

/// <summary>One caption shared by many samples (after trimming, whitespace collapse and lower-casing).</summary>
public sealed record CaptionBurst(string Caption, int Count, double MeanScore, int Removed, IReadOnlyList<SourceCount> Sources);

/// <summary>How many samples of a burst came from one source (the URL's host; "unknown" without a URL).</summary>
public sealed record SourceCount(string Source, int Count);
