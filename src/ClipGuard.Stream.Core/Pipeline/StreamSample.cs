namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// A sample as the scorer sees it: already validated by the transport, or carrying the reason it is invalid.
/// </summary>
public sealed record StreamSample(string Id, string? Source, float[]? Embedding, string? RejectCode = null, string? RejectReason = null)
{
    public bool IsValid => RejectCode is null && Embedding is not null;

    public static StreamSample Rejected(string id, string code, string reason) => new(id, null, null, code, reason);
}
