using System.Text;
using ClipGuard.Stream.Kafka.Envelope;

namespace ClipGuard.Stream.Kafka.Tests.Envelope;

public sealed class EnvelopeParserTests
{
    private const int Dim = EnvelopeJson.Dim;
    private const int MaxBytes = 64 * 1024;

    // Each row: a value that must be rejected, with the code it must get. Keys are absent unless the case is about keys.
    public static TheoryData<string, string> RejectedValues => new()
    {
        { """{"id":"a","caption":"x","embedding":[1,2""", RejectionCodes.InvalidJson },
        { """{"id":"a","embedding":[1,2,3,4,5,6,7,8],}""", RejectionCodes.InvalidJson },
        { Valid() + " {}", RejectionCodes.InvalidJson },
        { "   ", RejectionCodes.InvalidJson },
        { "[1,2,3]", RejectionCodes.NotAnObject },
        { "\"just a string\"", RejectionCodes.NotAnObject },
        { $$"""{"id":"a","id":"b","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.DuplicateField },
        { $$"""{"caption":"x","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.MissingId },
        { $$"""{"id":"","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.EmptyId },
        { $$"""{"id":"{{new string('x', EnvelopeParser.MaxIdLength + 1)}}","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.IdTooLong },
        { $$"""{"id":42,"embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.IdNotString },
        { $$"""{"id":null,"embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.IdNotString },
        { $$"""{"id":"a","caption":7,"embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidFieldType },
        { $$"""{"id":"a","url":true,"embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidFieldType },
        { $$"""{"id":"a","source":{},"embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidFieldType },
        { """{"id":"a","image":12}""", RejectionCodes.InvalidFieldType },
        { """{"id":"a","embedding":"1,2,3"}""", RejectionCodes.EmbeddingNotNumbers },
        { """{"id":"a","embedding":{"0":1}}""", RejectionCodes.EmbeddingNotNumbers },
        { """{"id":"a","embedding":[1,2,3,"4",5,6,7,8]}""", RejectionCodes.EmbeddingNotNumbers },
        { """{"id":"a","embedding":[1,2,3,[4],5,6,7,8]}""", RejectionCodes.EmbeddingNotNumbers },
        { """{"id":"a","embedding":[1,2,3,null,5,6,7,8]}""", RejectionCodes.EmbeddingNotNumbers },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding(Dim - 1)}}}""", RejectionCodes.WrongEmbeddingSize },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding(Dim + 1)}}}""", RejectionCodes.WrongEmbeddingSize },
        { """{"id":"a","embedding":[]}""", RejectionCodes.WrongEmbeddingSize },
        { """{"id":"a","embedding":[1,2,3,1e400,5,6,7,8]}""", RejectionCodes.NonFiniteEmbedding },
        { """{"id":"a","embedding":[1,2,3,-1e400,5,6,7,8]}""", RejectionCodes.NonFiniteEmbedding },
        { """{"id":"a","embedding":[1,2,3,4,5,6,7,1e39]}""", RejectionCodes.NonFiniteEmbedding },
        { """{"id":"a","image":"not base64!"}""", RejectionCodes.CorruptImage },
        { """{"id":"a","image":"QUJD="}""", RejectionCodes.CorruptImage },
        { """{"id":"a","image":""}""", RejectionCodes.CorruptImage },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding()}},"text_embedding":"1,2"}""", RejectionCodes.EmbeddingNotNumbers },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding()}},"text_embedding":{{EnvelopeJson.Embedding(Dim - 1)}}}""", RejectionCodes.WrongEmbeddingSize },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding()}},"text_embedding":[1,2,3,1e400,5,6,7,8]}""", RejectionCodes.NonFiniteEmbedding },
        { $$"""{"id":"a","embedding":{{EnvelopeJson.Embedding()}},"text_embedding":null,"text_embedding":null}""", RejectionCodes.DuplicateField },
        // Lone surrogate escapes: valid JSON, not Unicode text (System.Text.Json throws on decoding them; found by fuzzing).
        { $$"""{"id":"a\uDE24","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidUtf8 },
        { $$"""{"id":"a","caption":"x\uD800","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidUtf8 },
        { $$"""{"id":"a","url":"\uDFFFx","embedding":{{EnvelopeJson.Embedding()}}}""", RejectionCodes.InvalidUtf8 },
        { """{"id":"a","image":"QU\uDE2DJD"}""", RejectionCodes.InvalidUtf8 },
        { """{"id":"a","caption":"no content"}""", RejectionCodes.NoContent },
        { """{"id":"a","embedding":null,"image":null}""", RejectionCodes.NoContent },
    };

    [Theory]
    [MemberData(nameof(RejectedValues))]
    public void Rejects_bad_values_with_their_reason(string json, string code)
    {
        EnvelopeParseResult result = Parse(null, EnvelopeJson.Bytes(json));

        Assert.False(result.IsValid);
        Assert.Equal(code, result.Rejection.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Message));
    }

    [Fact]
    public void Every_rejection_code_is_exercised()
    {
        var covered = new HashSet<string>(RejectedValues.Select(row => row.Data.Item2))
        {
            // Covered by the dedicated facts below (they need keys, sizes or raw bytes).
            RejectionCodes.EmptyMessage, RejectionCodes.MessageTooLarge, RejectionCodes.InvalidUtf8, RejectionCodes.KeyMismatch,
        };

        Assert.Empty(RejectionCodes.All.Except(covered));
    }

    [Fact]
    public void Accepts_a_valid_envelope_and_reads_every_field_exactly()
    {
        string json = """
            {"id":"s-1","caption":"a \"cat\" on a mat","url":"https://x.test/1.jpg","source":"crawl-7",
             "embedding":[0.5,-1,3.4028235e38,1.4e-45,-0.0,1e-3,2E2,0.1],"image":"AAEC/w==","extra":{"nested":[1,{"a":null}]}}
            """;

        EnvelopeParseResult result = Parse("s-1"u8.ToArray(), EnvelopeJson.Bytes(json));

        Assert.True(result.IsValid, result.Rejection?.Message);
        SampleEnvelope e = result.Envelope;
        Assert.Equal("s-1", e.Id);
        Assert.Equal("a \"cat\" on a mat", e.Caption);
        Assert.Equal("https://x.test/1.jpg", e.Url);
        Assert.Equal("crawl-7", e.Source);
        Assert.Equal([0.5f, -1f, float.MaxValue, float.Epsilon, -0.0f, 1e-3f, 200f, 0.1f], e.Embedding!);
        Assert.True(float.IsNegative(e.Embedding![4]));
        Assert.Equal([0, 1, 2, 255], e.Image);
    }

    [Fact]
    public void Reads_the_caption_embedding_beside_the_image_embedding()
    {
        string json = """{"id":"t","caption":"a dog","embedding":[1,2,3,4,5,6,7,8],"text_embedding":[8,7,6,5,4,3,2,1.5]}""";

        EnvelopeParseResult result = Parse(null, EnvelopeJson.Bytes(json));

        Assert.True(result.IsValid, result.Rejection?.Message);
        Assert.Equal([8f, 7f, 6f, 5f, 4f, 3f, 2f, 1.5f], result.Envelope.TextEmbedding!);
        Assert.Null(Parse(null, EnvelopeJson.Bytes("""{"id":"t","embedding":[1,2,3,4,5,6,7,8]}""")).Envelope!.TextEmbedding);
        EnvelopeParseResult wrong = Parse(null, EnvelopeJson.Bytes("""{"id":"t","embedding":[1,2,3,4,5,6,7,8],"text_embedding":[1]}"""));
        Assert.Contains("text_embedding", wrong.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_an_image_without_an_embedding_and_unescapes_its_base64()
    {
        EnvelopeParseResult result = Parse(null, EnvelopeJson.Bytes("""{"id":"img","image":"\/\/8="}"""));

        Assert.True(result.IsValid, result.Rejection?.Message);
        Assert.Null(result.Envelope.Embedding);
        Assert.Equal([0xFF, 0xFF], result.Envelope.Image);
        Assert.Equal(string.Empty, result.Envelope.Caption);
    }

    [Fact]
    public void Counts_id_length_in_code_points_not_utf16_units()
    {
        string astral = string.Concat(Enumerable.Repeat("\U0001F408", EnvelopeParser.MaxIdLength));

        EnvelopeParseResult atLimit = Parse(null, EnvelopeJson.Bytes(EnvelopeJson.Valid(astral)));
        EnvelopeParseResult over = Parse(null, EnvelopeJson.Bytes(EnvelopeJson.Valid(astral + "x")));

        Assert.True(atLimit.IsValid, atLimit.Rejection?.Message);
        Assert.Equal(RejectionCodes.IdTooLong, over.Rejection?.Code);
    }

    [Fact]
    public void Rejects_an_empty_value()
    {
        Assert.Equal(RejectionCodes.EmptyMessage, Parse("a"u8.ToArray(), []).Rejection?.Code);
    }

    [Fact]
    public void Rejects_a_value_over_the_size_limit_but_accepts_one_at_it()
    {
        byte[] value = EnvelopeJson.Bytes(EnvelopeJson.Valid());

        Assert.True(EnvelopeParser.Parse(null, value, Dim, value.Length).IsValid);
        Assert.Equal(RejectionCodes.MessageTooLarge, EnvelopeParser.Parse(null, value, Dim, value.Length - 1).Rejection?.Code);
    }

    [Fact]
    public void Rejects_invalid_utf8_in_the_value_even_inside_an_ignored_field()
    {
        byte[] value = [.. "{\"id\":\"a\",\"junk\":\""u8, 0xC3, 0x28, .. "\",\"embedding\":"u8, .. EnvelopeJson.Bytes(EnvelopeJson.Embedding()), (byte)'}'];

        Assert.Equal(RejectionCodes.InvalidUtf8, Parse(null, value).Rejection?.Code);
    }

    [Fact]
    public void Rejects_invalid_utf8_in_the_key()
    {
        Assert.Equal(RejectionCodes.InvalidUtf8, Parse([0xFF, 0xFE], EnvelopeJson.Bytes(EnvelopeJson.Valid())).Rejection?.Code);
    }

    [Fact]
    public void Rejects_a_key_that_differs_from_the_id_and_accepts_an_equal_or_absent_key()
    {
        byte[] value = EnvelopeJson.Bytes(EnvelopeJson.Valid("caf\u00e9"));

        Assert.True(Parse(Encoding.UTF8.GetBytes("caf\u00e9"), value).IsValid);
        Assert.True(Parse(null, value).IsValid);
        EnvelopeParseResult mismatch = Parse("cafe"u8.ToArray(), value);
        Assert.Equal(RejectionCodes.KeyMismatch, mismatch.Rejection?.Code);
        Assert.Equal("caf\u00e9", mismatch.Rejection?.Id);
    }

    [Fact]
    public void A_rejection_names_the_id_even_when_it_follows_the_bad_field()
    {
        EnvelopeParseResult result = Parse(null, EnvelopeJson.Bytes("""{"embedding":[1,2],"caption":"x","id":"late-id"}"""));

        Assert.Equal(RejectionCodes.WrongEmbeddingSize, result.Rejection?.Code);
        Assert.Equal("late-id", result.Rejection?.Id);
    }

    [Fact]
    public void Reports_the_first_problem_in_document_order()
    {
        EnvelopeParseResult result = Parse(null, EnvelopeJson.Bytes("""{"id":"a","embedding":[1e400],"image":"!!"}"""));

        Assert.Equal(RejectionCodes.NonFiniteEmbedding, result.Rejection?.Code);
    }

    private static EnvelopeParseResult Parse(byte[]? key, byte[] value) => EnvelopeParser.Parse(key, value, Dim, MaxBytes);

    private static string Valid() => EnvelopeJson.Valid();
}
