namespace ClipGuard.Stream.Host.Worker;

/// <summary>
/// DI holder: the embedder, or none when no model is configured. A model swap (docs/sentinel.md) replaces it on the
/// stream thread between two batches; the replaced embedder is disposed by the swap once nothing uses it.
/// </summary>
internal sealed class ImageEmbedding(StreamImageEmbedder? pipeline) : IAsyncDisposable
{
    private StreamImageEmbedder? _pipeline = pipeline;

    public StreamImageEmbedder? Pipeline => Volatile.Read(ref _pipeline);

    /// <summary>Installs <paramref name="next"/> and returns the embedder it replaced.</summary>
    public StreamImageEmbedder? Replace(StreamImageEmbedder next) => Interlocked.Exchange(ref _pipeline, next);

    public ValueTask DisposeAsync() => Pipeline?.DisposeAsync() ?? ValueTask.CompletedTask;
}
