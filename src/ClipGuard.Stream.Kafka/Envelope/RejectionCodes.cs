namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Machine-readable reasons an input message is dead-lettered; stable strings, written to the
/// <c>clipguard-reason</c> header and used as metric tags, so never rename one.</summary>
public static class RejectionCodes
{
    public const string EmptyMessage = "empty_message";

    public const string MessageTooLarge = "message_too_large";

    public const string InvalidUtf8 = "invalid_utf8";

    public const string InvalidJson = "invalid_json";

    public const string NotAnObject = "not_an_object";

    public const string DuplicateField = "duplicate_field";

    public const string MissingId = "missing_id";

    public const string EmptyId = "empty_id";

    public const string IdTooLong = "id_too_long";

    public const string IdNotString = "id_not_string";

    public const string KeyMismatch = "key_mismatch";

    public const string InvalidFieldType = "invalid_field_type";

    public const string EmbeddingNotNumbers = "embedding_not_numbers";

    public const string WrongEmbeddingSize = "wrong_embedding_size";

    public const string NonFiniteEmbedding = "non_finite_embedding";

    public const string CorruptImage = "corrupt_image";

    public const string NoContent = "no_content";

    /// <summary>Every code, for documentation checks and dashboards.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        EmptyMessage, MessageTooLarge, InvalidUtf8, InvalidJson, NotAnObject, DuplicateField, MissingId, EmptyId,
        IdTooLong, IdNotString, KeyMismatch, InvalidFieldType, EmbeddingNotNumbers, WrongEmbeddingSize,
        NonFiniteEmbedding, CorruptImage, NoContent,
    ];
}
