namespace ClipGuard.Stream.Host.Worker;

/// <summary>DI holder: the embedder, or none when no model is configured.</summary>
internal sealed class ImageEmbedding(StreamImageEmbedder? pipeline) : IAsyncDisposable
{
    public StreamImageEmbedder? Pipeline { get; } = pipeline;

    public ValueTask DisposeAsync() => Pipeline?.DisposeAsync() ?? ValueTask.CompletedTask;
}
