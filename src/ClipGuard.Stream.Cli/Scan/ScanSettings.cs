using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Scan;

/// <summary>What `clipguard scan` was asked to do.</summary>
internal sealed record ScanSettings(
    string Embeddings,
    string? Reference,
    OutlierDetector Detector,
    int K,
    DistanceMetric Metric,
    string? Labels,
    string Out,
    int Threads);
