namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>What the parser has read so far. Reading goes on after the first content error so that the rejection
/// can still name the sample id, wherever the id stands in the object.</summary>
internal struct ParseState
{
    public Field Seen;
    public string? Id;
    public string? Caption;
    public string? Url;
    public string? Source;
    public float[]? Embedding;
    public float[]? TextEmbedding;
    public byte[]? Image;
    public string? ErrorCode;
    public string? ErrorMessage;

    /// <summary>Records the first error only; returns true so callers can latch a local flag.</summary>
    public bool Fail(string code, string message)
    {
        if (ErrorCode is null)
        {
            ErrorCode = code;
            ErrorMessage = message;
        }

        return true;
    }
}
