using System.ComponentModel.DataAnnotations;
using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The decode + embed stage: the model and its pipeline. Section "ClipGuard:Stream".</summary>
public sealed class EmbeddingStageOptions
{
    /// <summary>
    /// An OpenCLIP model (a directory with one weights file and one config JSON) that embeds messages carrying an image
    /// and no embedding. Unset: such messages are dead-lettered as <c>embedding_required</c>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The model's config JSON when <see cref="Model"/> names a weights file instead of a directory.</summary>
    public string? ModelConfig { get; set; }

    /// <summary>libtorch intra-op threads for the embedder; 0 keeps libtorch's default.</summary>
    [Range(0, 1024)]
    public int EmbedThreads { get; set; }

    /// <summary>cpu, cuda or cuda:N: where the embedder runs (CUDA needs the CUDA build; docs/embedding.md, "CUDA").</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Image decode workers; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int DecodeWorkers { get; set; }

    /// <summary>Largest micro-batch of images per forward pass.</summary>
    [Range(1, 4096)]
    public int EmbedBatch { get; set; } = 32;

    /// <summary>Largest decoded image (width × height); larger ones are dead-lettered as image_too_many_pixels.</summary>
    [Range(1, long.MaxValue)]
    public long MaxImagePixels { get; set; } = PreprocessOptions.DefaultMaxPixels;
}
