namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>
/// The settings all shards of one embeddings folder share. A resumed or sharded run must match it, so one folder never
/// mixes two checkpoints or two input datasets.
/// </summary>
public sealed record EmbedManifest(string Input, string[] Shards, string ModelId, string ModelVersion, int Dimension, bool Normalized, bool Text);
