using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Embedding.Pipeline;

/// <summary>Sizes of the decode pool and the micro-batches of <see cref="ImageEmbeddingPipeline"/>.</summary>
public sealed class ImageEmbeddingOptions
{
    /// <summary>Concurrent decoders; 0 = one per core. Decoding is CPU-bound and independent per image.</summary>
    public int DecodeWorkers { get; set; }

    /// <summary>Images waiting to be decoded, and decoded ones waiting for a batch; callers wait when either is full.</summary>
    public int QueueCapacity { get; set; } = 256;

    public int MaxBatch { get; set; } = 32;

    /// <summary>How long the first image of a batch waits for company before the batch runs anyway.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public PreprocessOptions Preprocess { get; set; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(DecodeWorkers);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero);
    }
}
