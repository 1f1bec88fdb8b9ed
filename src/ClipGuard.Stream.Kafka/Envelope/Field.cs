namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>The envelope fields the parser reads; flags so duplicates are caught with one mask.</summary>
[Flags]
internal enum Field
{
    None = 0,
    Id = 1,
    Caption = 2,
    Url = 4,
    Source = 8,
    Embedding = 16,
    Image = 32,
    TextEmbedding = 64,
}
