namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// A sample as the scorer sees it: already validated by the transport, or carrying the reason it is invalid.
/// </summary>
public sealed record StreamSample(string Id, string? Source, float[]? Embedding, string? RejectCode = null, string? RejectReason = null)
{
    /// <summary>
    /// The caption's embedding in the same joint space, when the model has a text tower (or the message carried one):
    /// gives the pair's own image–caption agreement signal. Null when there is none.
    /// </summary>
    public float[]? TextEmbedding { get; init; }

    public bool IsValid => RejectCode is null && Embedding is not null;

    public static StreamSample Rejected(string id, string code, string reason) => new(id, null, null, code, reason);
}
