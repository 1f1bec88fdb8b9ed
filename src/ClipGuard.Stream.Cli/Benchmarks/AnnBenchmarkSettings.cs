using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Cli.Benchmarks;

/// <summary>What `clipguard bench ann` measures.</summary>
internal sealed record AnnBenchmarkSettings(
    IReadOnlyList<int> Sizes,
    int Dim,
    int K,
    int Queries,
    int Threads,
    int IvfLists,
    IReadOnlyList<int> IvfProbes,
    int HnswM,
    int HnswEfConstruction,
    IReadOnlyList<int> HnswEf,
    int HnswMaxSize,
    int ScoreMaxSize,
    IReadOnlySet<string> Backends,
    int USearchM,
    int USearchEfConstruction,
    IReadOnlyList<int> USearchEf,
    IReadOnlyList<VectorStorage> USearchStorage);
