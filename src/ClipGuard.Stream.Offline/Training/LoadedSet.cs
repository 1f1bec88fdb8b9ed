using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>A dataset decoded into memory: the pairs, their keys in the same order, what was skipped and why.</summary>
public sealed record LoadedSet(TrainingPairs Pairs, IReadOnlyList<string> Keys, int Shards, IReadOnlyDictionary<string, long> Skipped, double Seconds);
