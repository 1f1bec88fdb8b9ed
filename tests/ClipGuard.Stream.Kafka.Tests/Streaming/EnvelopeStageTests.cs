using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

public sealed class EnvelopeStageTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47];

    [Fact]
    public void AnEnvelopeWithAnEmbeddingBecomesAScorableSample()
    {
        PendingMessage p = Stage(embedsImages: false).Parse(Input(new SampleEnvelope("s1", "a cat", [0.5f, 0.5f], null, source: "crawler-1")));

        Assert.True(p.Sample.IsValid);
        Assert.Equal(("s1", "crawler-1"), (p.Sample.Id, p.Sample.Source));
        Assert.NotNull(p.Envelope);
    }

    [Fact]
    public void AnImageOnlyEnvelopeWaitsForTheEmbedderOrIsDeadLetteredWithoutOne()
    {
        var envelope = new SampleEnvelope("s2", "a dog", null, Png);

        PendingMessage waiting = Stage(embedsImages: true).Parse(Input(envelope));
        PendingMessage rejected = Stage(embedsImages: false).Parse(Input(envelope));

        Assert.Null(waiting.Sample.Embedding);
        Assert.Null(waiting.Sample.RejectCode);
        Assert.Equal("embedding_required", rejected.Sample.RejectCode);
    }

    [Fact]
    public void AnUnreadableMessageIsKnownByItsKeyOrElseByItsPosition()
    {
        PendingMessage byKey = Stage(false).Parse(InputMessages.At(2, 41, "key-7", "{not json"u8.ToArray()));
        var keyless = InputMessages.At(2, 42, "x", "{not json"u8.ToArray());
        keyless.Message.Key = [0xFF, 0xFE];
        PendingMessage byPosition = Stage(false).Parse(keyless);

        Assert.Equal("key-7", byKey.Sample.Id);
        Assert.NotNull(byKey.Sample.RejectCode);
        Assert.Equal($"{InputMessages.Topic}/2/42", byPosition.Sample.Id);
        Assert.Null(byPosition.Envelope);
    }

    [Theory]
    [InlineData(EnvelopeStage.ParallelFrom - 1)]
    [InlineData(EnvelopeStage.ParallelFrom * 8)]
    public void ABatchIsParsedInOrderAsEachMessageAlone(int count)
    {
        // Valid, unreadable and image-only messages interleaved: a large batch is parsed in parallel, a small one serially;
        // both must equal parsing each message by itself, in the batch's order.
        var batch = Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => Input(new SampleEnvelope($"s{i}", "a cat", [i, 1f], null, source: "crawler-1")),
            1 => InputMessages.At(1, i, $"bad-{i}", "{not json"u8.ToArray()),
            _ => Input(new SampleEnvelope($"i{i}", "a dog", null, Png)),
        }).ToList();
        var stage = Stage(embedsImages: true);

        List<PendingMessage> parsed = stage.Parse(batch);

        Assert.Equal(count, parsed.Count);
        for (int i = 0; i < count; i++)
        {
            PendingMessage alone = stage.Parse(batch[i]);
            Assert.Same(batch[i], parsed[i].Message);
            Assert.Equal((alone.Sample.Id, alone.Sample.RejectCode), (parsed[i].Sample.Id, parsed[i].Sample.RejectCode));
            Assert.Equal(alone.Sample.Embedding, parsed[i].Sample.Embedding);
        }
    }

    private static EnvelopeStage Stage(bool embedsImages) => new(dimension: 2, maxMessageBytes: 1 << 20, embedsImages);

    private static Confluent.Kafka.ConsumeResult<byte[], byte[]> Input(SampleEnvelope envelope) =>
        InputMessages.At(0, 1, envelope.Id, EnvelopeWriter.ToUtf8Bytes(envelope));
}
