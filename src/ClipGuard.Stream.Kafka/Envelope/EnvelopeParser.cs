using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Turns the raw key and value of an input message into a <see cref="SampleEnvelope"/> or a rejection.
/// Pure and Kafka-free so the routing pipeline can be tested without a broker.</summary>
public static class EnvelopeParser
{
    /// <summary>Longest id, in Unicode code points (what JSON Schema's maxLength counts).</summary>
    public const int MaxIdLength = 256;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static EnvelopeParseResult Parse(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, int expectedDim, int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        ReadOnlySpan<byte> json = value.Span;
        if (json.IsEmpty)
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.EmptyMessage, "the message value is empty");
        }

        if (json.Length > maxMessageBytes)
        {
            return EnvelopeParseResult.Rejected(
                RejectionCodes.MessageTooLarge, $"the message value has {json.Length} bytes, over the limit of {maxMessageBytes}");
        }

        // Checked up front (vectorised, cheap) so that a bad byte anywhere, even inside a field nobody reads,
        // gets its own reason instead of surfacing later as a JSON error or a mangled string.
        if (!Utf8.IsValid(json))
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.InvalidUtf8, "the message value is not valid UTF-8");
        }

        if (!Utf8.IsValid(key.Span))
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.InvalidUtf8, "the message key is not valid UTF-8");
        }

        var state = new ParseState();
        try
        {
            ReadObject(json, expectedDim, ref state);
        }
        catch (JsonException ex)
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.InvalidJson, $"invalid JSON: {ex.Message}", state.Id);
        }

        return Validate(key.Span, expectedDim, in state);
    }

    private static void ReadObject(ReadOnlySpan<byte> json, int expectedDim, ref ParseState state)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            state.Fail(RejectionCodes.NotAnObject, $"the message value is a JSON {Describe(reader.TokenType)}, not an object");
            reader.Skip();
            EnsureEnd(ref reader);
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Field field = Identify(ref reader);
            reader.Read();
            if (field == Field.None)
            {
                reader.Skip();
                continue;
            }

            if ((state.Seen & field) != 0)
            {
                state.Fail(RejectionCodes.DuplicateField, $"the field \"{NameOf(field)}\" appears more than once");
            }

            state.Seen |= field;
            ReadField(ref reader, field, expectedDim, ref state);
        }

        EnsureEnd(ref reader);
    }

    private static void ReadField(ref Utf8JsonReader reader, Field field, int expectedDim, ref ParseState state)
    {
        switch (field)
        {
            case Field.Id:
                if (reader.TokenType == JsonTokenType.String)
                {
                    state.Id = GetText(ref reader, field, ref state);
                }
                else
                {
                    state.Fail(RejectionCodes.IdNotString, $"\"id\" is a JSON {Describe(reader.TokenType)}, not a string");
                    reader.Skip();
                }

                break;
            case Field.Caption:
                state.Caption = ReadOptionalString(ref reader, field, ref state);
                break;
            case Field.Url:
                state.Url = ReadOptionalString(ref reader, field, ref state);
                break;
            case Field.Source:
                state.Source = ReadOptionalString(ref reader, field, ref state);
                break;
            case Field.Embedding:
                state.Embedding = ReadEmbedding(ref reader, expectedDim, "embedding", ref state);
                break;
            case Field.TextEmbedding:
                state.TextEmbedding = ReadEmbedding(ref reader, expectedDim, "text_embedding", ref state);
                break;
            case Field.Image:
                state.Image = ReadImage(ref reader, ref state);
                break;
            default:
                throw new InvalidOperationException($"unhandled field {field}");
        }
    }

    private static EnvelopeParseResult Validate(ReadOnlySpan<byte> key, int expectedDim, in ParseState state)
    {
        string? id = state.Id;
        if (state.ErrorCode is not null)
        {
            return EnvelopeParseResult.Rejected(state.ErrorCode, state.ErrorMessage!, string.IsNullOrEmpty(id) ? null : id);
        }

        if (id is null)
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.MissingId, "the field \"id\" is missing");
        }

        if (id.Length == 0)
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.EmptyId, "the field \"id\" is empty");
        }

        // UTF-16 length bounds the code-point count from above, so only long ids pay for counting runes.
        if (id.Length > MaxIdLength && id.EnumerateRunes().Count() > MaxIdLength)
        {
            return EnvelopeParseResult.Rejected(
                RejectionCodes.IdTooLong, $"the id has more than {MaxIdLength} characters", id[..MaxIdLength]);
        }

        if (!key.IsEmpty && !KeyMatches(key, id))
        {
            return EnvelopeParseResult.Rejected(
                RejectionCodes.KeyMismatch, $"the message key \"{Encoding.UTF8.GetString(key)}\" differs from the id", id);
        }

        if (state.Embedding is null && state.Image is null)
        {
            return EnvelopeParseResult.Rejected(RejectionCodes.NoContent, "the message has neither an embedding nor an image", id);
        }

        System.Diagnostics.Debug.Assert(state.Embedding is null || state.Embedding.Length == expectedDim, "checked while reading");
        return EnvelopeParseResult.Valid(
            new SampleEnvelope(id, state.Caption ?? string.Empty, state.Embedding, state.Image, state.Url, state.Source) { TextEmbedding = state.TextEmbedding });
    }

    private static bool KeyMatches(ReadOnlySpan<byte> key, string id)
    {
        int length = Encoding.UTF8.GetByteCount(id);
        if (length != key.Length)
        {
            return false;
        }

        byte[]? rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> encoded = rented ?? stackalloc byte[1024];
        int written = Encoding.UTF8.GetBytes(id, encoded);
        bool equal = encoded[..written].SequenceEqual(key);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return equal;
    }

    /// <summary>
    /// The string value, or a rejection when it escapes a lone UTF-16 surrogate ("\uDE24"): JSON's grammar allows the
    /// escape, but the text is not Unicode and System.Text.Json refuses to decode it with an InvalidOperationException
    /// (found by fuzzing; before, that exception escaped the parser).
    /// </summary>
    private static string? GetText(ref Utf8JsonReader reader, Field field, ref ParseState state)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            state.Fail(RejectionCodes.InvalidUtf8, LoneSurrogate(field));
            return null;
        }
    }

    private static string LoneSurrogate(Field field) =>
        $"\"{NameOf(field)}\" escapes a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is not Unicode text";

    private static string? ReadOptionalString(ref Utf8JsonReader reader, Field field, ref ParseState state)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return GetText(ref reader, field, ref state);
            case JsonTokenType.Null:
                return null;
            default:
                state.Fail(
                    RejectionCodes.InvalidFieldType, $"\"{NameOf(field)}\" is a JSON {Describe(reader.TokenType)}, not a string");
                reader.Skip();
                return null;
        }
    }

    private static float[]? ReadEmbedding(ref Utf8JsonReader reader, int expectedDim, string name, ref ParseState state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            state.Fail(
                RejectionCodes.EmbeddingNotNumbers, $"\"{name}\" is a JSON {Describe(reader.TokenType)}, not an array of numbers");
            reader.Skip();
            return null;
        }

        // One array per message and no per-element allocation: the numbers are parsed straight from the UTF-8 bytes.
        var values = new float[expectedDim];
        int count = 0;
        bool failed = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (failed)
            {
                reader.Skip();
                count++;
                continue;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                failed = state.Fail(
                    RejectionCodes.EmbeddingNotNumbers, $"{name} element {count} is a JSON {Describe(reader.TokenType)}, not a number");
                reader.Skip();
            }
            else if (!JsonFloat.TryParse(reader.ValueSpan, out float v) || !float.IsFinite(v))
            {
                // Out-of-range literals such as 1e400 (or 1e39, beyond float) would become infinity.
                failed = state.Fail(
                    RejectionCodes.NonFiniteEmbedding,
                    $"{name} element {count} ({Encoding.UTF8.GetString(reader.ValueSpan)}) is not a finite 32-bit float");
            }
            else if (count < expectedDim)
            {
                values[count] = v;
            }

            count++;
        }

        if (failed)
        {
            return null;
        }

        if (count != expectedDim)
        {
            state.Fail(RejectionCodes.WrongEmbeddingSize, $"the {name} has {count} values, expected {expectedDim}");
            return null;
        }

        return values;
    }

    private static byte[]? ReadImage(ref Utf8JsonReader reader, ref ParseState state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            state.Fail(RejectionCodes.InvalidFieldType, $"\"image\" is a JSON {Describe(reader.TokenType)}, not a base64 string");
            reader.Skip();
            return null;
        }

        // Encoders may write '/' as "\/": unescape first, without a string in between.
        byte[]? rented = null;
        ReadOnlySpan<byte> encoded = reader.ValueSpan;
        try
        {
            if (reader.ValueIsEscaped)
            {
                rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                encoded = rented.AsSpan(0, reader.CopyString(rented));
            }

            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
            OperationStatus status = Base64.DecodeFromUtf8(encoded, decoded, out int consumed, out int written);
            if (status != OperationStatus.Done || consumed != encoded.Length)
            {
                state.Fail(RejectionCodes.CorruptImage, $"\"image\" is not valid base64 ({status} at byte {consumed})");
                return null;
            }

            if (written == 0)
            {
                state.Fail(RejectionCodes.CorruptImage, "\"image\" is empty");
                return null;
            }

            return written == decoded.Length ? decoded : decoded.AsSpan(0, written).ToArray();
        }
        catch (InvalidOperationException)
        {
            // Thrown only by CopyString, for a lone surrogate escape (see GetText).
            state.Fail(RejectionCodes.InvalidUtf8, LoneSurrogate(Field.Image));
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // With isFinalBlock the reader throws on anything but whitespace after the top-level value.
        if (reader.Read())
        {
            throw new JsonException("unexpected content after the top-level value");
        }
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("id"u8))
        {
            return Field.Id;
        }

        if (reader.ValueTextEquals("embedding"u8))
        {
            return Field.Embedding;
        }

        if (reader.ValueTextEquals("text_embedding"u8))
        {
            return Field.TextEmbedding;
        }

        if (reader.ValueTextEquals("caption"u8))
        {
            return Field.Caption;
        }

        if (reader.ValueTextEquals("image"u8))
        {
            return Field.Image;
        }

        if (reader.ValueTextEquals("url"u8))
        {
            return Field.Url;
        }

        return reader.ValueTextEquals("source"u8) ? Field.Source : Field.None;
    }

    private static string NameOf(Field field) => field == Field.TextEmbedding ? "text_embedding" : field.ToString().ToLowerInvariant();

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        _ => token.ToString(),
    };
}
