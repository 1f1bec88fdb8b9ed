namespace ClipGuard.Stream.Embedding;

/// <summary>How the embedder runs: device, threads, normalisation.</summary>
public sealed class EmbedderOptions
{
    /// <summary>Intra-op threads for libtorch; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. CUDA needs the CUDA build (<c>-p:ClipGuardCuda=true</c>) and a GPU that
    /// libtorch sees; otherwise loading the model fails with the reason (docs/embedding.md, "CUDA").
    /// </summary>
    public string Device { get; set; } = "cpu";

    /// <summary>L2-normalise embeddings (what the scorer's cosine geometry expects).</summary>
    public bool Normalize { get; set; } = true;
}
