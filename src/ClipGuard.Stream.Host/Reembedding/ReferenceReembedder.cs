using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Embedding.Pipeline;

namespace ClipGuard.Stream.Host.Reembedding;

/// <summary>
/// Re-embeds a saved reference set with the configured checkpoint when the set was built under another one. Every
/// member and hold-back sample whose image is in the <see cref="ReferenceImageStore"/> goes through the same bounded
/// decode + micro-batch pipeline the stream uses; the set then comes back in the new space with the same members,
/// order and hold-back (<see cref="ReferenceReembedding"/>). What has no stored image, or an image the new model's
/// preprocessing rejects, is dropped and reported.
/// </summary>
internal static class ReferenceReembedder
{
    /// <summary>Images in flight at once: enough to fill the pipeline's micro-batches, few enough to bound memory.</summary>
    private const int InFlight = 256;

    public static async Task<ReembedReport> ReembedAsync(
        ReferenceSetState<float> state, ReferenceImageStore images, ImageEmbeddingPipeline pipeline, int dimension,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(pipeline);
        var ids = state.Members.Select(m => m.Id).Concat(state.HoldBack.Select(p => p.Id)).ToList();
        var vectors = new Dictionary<string, float[]>(ids.Count, StringComparer.Ordinal);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        int missing = 0, done = 0;
        foreach (string[] chunk in ids.Chunk(InFlight))
        {
            var work = new List<(string Id, Task<ImageEmbeddingResult> Result)>(chunk.Length);
            foreach (string id in chunk)
            {
                if (images.Read(id) is { } bytes)
                {
                    work.Add((id, pipeline.EmbedAsync(bytes, cancellationToken)));
                }
                else
                {
                    missing++;
                }
            }

            foreach ((string id, Task<ImageEmbeddingResult> task) in work)
            {
                ImageEmbeddingResult result = await task.ConfigureAwait(false);
                if (result.Embedding is { } embedding)
                {
                    vectors[id] = embedding;
                }
                else
                {
                    rejected[id] = $"{result.ReasonCode}: {result.Detail}";
                }
            }

            done += chunk.Length;
            progress?.Report(done);
        }

        ReembeddedState<float> moved = ReferenceReembedding.Apply(state, dimension, vectors, Worker.StreamImageEmbedder.Label(pipeline.ModelId, pipeline.ModelVersion));
        return new ReembedReport(moved, vectors.Count, missing, rejected);
    }
}
