using ClipGuard.Stream.Kafka.Envelope;

namespace ClipGuard.Stream.Kafka.Tests.Envelope;

public sealed class EnvelopeWriterTests
{
    [Fact]
    public void Written_envelopes_parse_back_to_the_same_bits()
    {
        var random = new Random(7);
        float[] embedding = [.. Enumerable.Range(0, 512).Select(_ => (float)(random.NextDouble() * 2 - 1)),];
        embedding[0] = float.MaxValue;
        embedding[1] = float.Epsilon;
        embedding[2] = -0.0f;
        embedding[3] = 1.17549435e-38f;
        var original = new SampleEnvelope("id/\u00e9\"x", "caption with \"quotes\" and \u2603", embedding, [1, 2, 3], "https://a.test/?q=1&r=2", "src");

        byte[] json = EnvelopeWriter.ToUtf8Bytes(original);
        EnvelopeParseResult parsed = EnvelopeParser.Parse(System.Text.Encoding.UTF8.GetBytes(original.Id), json, 512, 1 << 20);

        Assert.True(parsed.IsValid, parsed.Rejection?.Message);
        SampleEnvelope back = parsed.Envelope;
        Assert.Equal(original.Id, back.Id);
        Assert.Equal(original.Caption, back.Caption);
        Assert.Equal(original.Url, back.Url);
        Assert.Equal(original.Source, back.Source);
        Assert.Equal(original.Image, back.Image);
        Assert.Equal(
            embedding.Select(BitConverter.SingleToInt32Bits),
            back.Embedding!.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Refuses_to_write_a_non_finite_embedding()
    {
        var envelope = new SampleEnvelope("a", "", [1f, float.NaN], null);

        Assert.ThrowsAny<ArgumentException>(() => EnvelopeWriter.ToUtf8Bytes(envelope));
    }
}
