namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>One validated image-text pair from the input topic.</summary>
public sealed class SampleEnvelope
{
    public SampleEnvelope(string id, string caption, float[]? embedding, byte[]? image, string? url = null, string? source = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(caption);
        if (embedding is null && image is null)
        {
            throw new ArgumentException("an envelope needs an embedding, an image or both", nameof(embedding));
        }

        Id = id;
        Caption = caption;
        Embedding = embedding;
        Image = image;
        Url = url;
        Source = source;
    }

    public string Id { get; }

    /// <summary>The caption; empty when the message carried none.</summary>
    public string Caption { get; }

    /// <summary>The precomputed CLIP embedding, finite and of the expected dimension, or null.</summary>
    public float[]? Embedding { get; }

    /// <summary>
    /// The caption's precomputed embedding in the same space (finite, of the expected dimension), or null: gives the
    /// pair's image–caption agreement and campaign signals without a model in the service.
    /// </summary>
    public float[]? TextEmbedding { get; init; }

    /// <summary>The decoded image bytes (whatever format the crawler fetched), or null.</summary>
    public byte[]? Image { get; }

    public string? Url { get; }

    public string? Source { get; }
}
