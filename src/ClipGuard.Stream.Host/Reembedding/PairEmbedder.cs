using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Embedding.Pipeline;

namespace ClipGuard.Stream.Host.Reembedding;

/// <summary>Kept pairs (stored image + caption) embedded by a model: the ids it could embed, their image and caption vectors, and how many had nothing stored or a rejected image.</summary>
internal sealed record EmbeddedPairs(IReadOnlyList<string> Ids, Matrix<float> Images, Matrix<float>? Captions, int WithoutImage, int Rejected);

/// <summary>
/// Embeds stored pairs with one model through its bounded decode + micro-batch pipeline, a chunk at a time (memory
/// stays bounded): the model swap's re-embedding of the reference and of the provisional window. Captions are
/// embedded only when the model's text tower reads CLIP's vocabulary and every kept pair has one.
/// </summary>
internal static class PairEmbedder
{
    private const int InFlight = 256;

    public static EmbeddedPairs Embed(
        IReadOnlyList<string> ids, Func<string, (byte[] Image, string? Caption)?> read, ImageEmbeddingPipeline pipeline, int dimension, bool withCaptions, CancellationToken cancel)
    {
        var kept = new List<string>(ids.Count);
        var images = new List<float[]>(ids.Count);
        var captions = new List<string?>(ids.Count);
        int without = 0, rejected = 0;
        foreach (string[] chunk in ids.Chunk(InFlight))
        {
            var work = new List<(string Id, string? Caption, Task<ImageEmbeddingResult> Result)>(chunk.Length);
            foreach (string id in chunk)
            {
                if (read(id) is { } pair)
                {
                    work.Add((id, pair.Caption, pipeline.EmbedAsync(pair.Image, cancel)));
                }
                else
                {
                    without++;
                }
            }

            foreach ((string id, string? caption, Task<ImageEmbeddingResult> task) in work)
            {
                ImageEmbeddingResult result = task.GetAwaiter().GetResult();
                if (result.Embedding is { } embedding)
                {
                    kept.Add(id);
                    images.Add(embedding);
                    captions.Add(caption);
                }
                else
                {
                    rejected++;
                }
            }
        }

        var imageMatrix = new Matrix<float>(kept.Count, dimension);
        for (int i = 0; i < kept.Count; i++)
        {
            images[i].CopyTo(imageMatrix.Row(i));
        }

        Matrix<float>? captionMatrix = null;
        if (withCaptions && pipeline.EmbedsCaptions && kept.Count > 0 && captions.All(c => c is not null))
        {
            captionMatrix = new Matrix<float>(kept.Count, dimension);
            int row = 0;
            foreach (string?[] chunk in captions.Chunk(InFlight))
            {
                foreach (float[] vector in pipeline.EmbedCaptions([.. chunk.Select(c => c!)]))
                {
                    vector.CopyTo(captionMatrix.Row(row++));
                }
            }
        }

        return new EmbeddedPairs(kept, imageMatrix, captionMatrix, without, rejected);
    }
}
