using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Decode + embed: every image-only message of the batch is embedded at once (so the embedder's micro-batches fill),
/// decoded on its bounded pool. A rejected image becomes a dead letter with its <c>image_*</c> code; a model failure
/// throws out of the batch before anything is routed or committed, so the batch is consumed again.
/// </summary>
/// <param name="embed">The image embedder (<see cref="ImageEmbeddingPipeline.EmbedAsync"/>); null when no model is configured.</param>
/// <param name="embedCaptions">The same model's text tower (<see cref="ImageEmbeddingPipeline.EmbedCaptions"/>): when given,
/// every sample whose image was embedded here also gets its caption's embedding (the agreement and campaign signals).</param>
internal sealed class ImageEmbedStage(
    Func<ReadOnlyMemory<byte>, CancellationToken, Task<ImageEmbeddingResult>>? embed,
    Func<IReadOnlyList<string>, float[][]>? embedCaptions = null)
{
    private Func<ReadOnlyMemory<byte>, CancellationToken, Task<ImageEmbeddingResult>>? _embed = embed;
    private Func<IReadOnlyList<string>, float[][]>? _embedCaptions = embedCaptions;

    public bool EmbedsImages => _embed is not null;

    /// <summary>A model swap: the next batch is embedded by the new model (called on the stream thread, between batches).</summary>
    public void Use(
        Func<ReadOnlyMemory<byte>, CancellationToken, Task<ImageEmbeddingResult>> embed,
        Func<IReadOnlyList<string>, float[][]>? embedCaptions)
    {
        _embed = embed;
        _embedCaptions = embedCaptions;
    }

    public void Embed(List<PendingMessage> fresh, CancellationToken cancel)
    {
        if (_embed is not { } embed)
        {
            return;
        }

        var waiting = new List<(int Index, Task<ImageEmbeddingResult> Result)>();
        for (int i = 0; i < fresh.Count; i++)
        {
            PendingMessage p = fresh[i];
            if (p.Sample.Embedding is null && p.Sample.RejectCode is null && p.Envelope?.Image is { } image)
            {
                waiting.Add((i, embed(image, cancel)));
            }
        }

        if (waiting.Count == 0)
        {
            return;
        }

        Task.WhenAll(waiting.Select(w => w.Result)).GetAwaiter().GetResult();
        var embedded = new List<int>(waiting.Count);
        foreach ((int index, Task<ImageEmbeddingResult> task) in waiting)
        {
            PendingMessage p = fresh[index];
            ImageEmbeddingResult r = task.Result;
            fresh[index] = r.Embedding is { } embedding
                ? p with { Sample = p.Sample with { Embedding = embedding } }
                : p with { Sample = StreamSample.Rejected(p.Sample.Id, r.ReasonCode!, $"the image was rejected: {r.Detail}") };
            if (r.Embedding is not null)
            {
                embedded.Add(index);
            }
        }

        EmbedCaptions(fresh, embedded);
    }

    /// <summary>Caption embeddings of the samples whose images were embedded (a caption may be empty: CLIP embeds that too).</summary>
    private void EmbedCaptions(List<PendingMessage> fresh, List<int> embedded)
    {
        if (_embedCaptions is not { } embedCaptions || embedded.Count == 0)
        {
            return;
        }

        float[][] captions = embedCaptions([.. embedded.Select(i => fresh[i].Envelope?.Caption ?? string.Empty)]);
        for (int j = 0; j < embedded.Count; j++)
        {
            PendingMessage p = fresh[embedded[j]];
            fresh[embedded[j]] = p with { Sample = p.Sample with { TextEmbedding = captions[j] } };
        }
    }
}
