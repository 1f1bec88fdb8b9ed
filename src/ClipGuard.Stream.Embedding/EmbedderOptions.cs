namespace ClipGuard.Stream.Embedding;

/// <summary>How the embedder runs. CPU only in this build: no CUDA libtorch is in the package source (see docs).</summary>
public sealed class EmbedderOptions
{
    /// <summary>Intra-op threads for libtorch; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>L2-normalise embeddings (what the scorer's cosine geometry expects).</summary>
    public bool Normalize { get; set; } = true;
}
