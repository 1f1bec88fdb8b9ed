using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Pipeline;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>The configured checkpoint and the bounded decode + micro-batch pipeline in front of it.</summary>
internal sealed class StreamImageEmbedder(ClipEmbedder embedder, ImageEmbeddingPipeline pipeline) : IAsyncDisposable
{
    public ImageEmbeddingPipeline Pipeline { get; } = pipeline;

    public int EmbedDim => embedder.EmbedDim;

    /// <summary>What verdicts carry as <c>clipguard-model-version</c>: the config name and the weights' hash prefix.</summary>
    public string ModelVersionLabel => Label(embedder.ModelId, embedder.Version);

    public static string Label(string modelId, string version) => $"{modelId}@{version}";

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        embedder.Dispose();
    }
}
