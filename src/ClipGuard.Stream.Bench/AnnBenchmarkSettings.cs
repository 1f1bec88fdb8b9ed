using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Bench;

/// <summary>What `clipguard bench ann` measures.</summary>
public sealed record AnnBenchmarkSettings(
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
