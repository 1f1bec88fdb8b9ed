using System.Text;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Envelope;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Parse: each consumed message becomes a sample with its embedding, an image waiting for the embedder, or a rejection
/// (a dead letter with its reason code).
/// </summary>
internal sealed class EnvelopeStage(int dimension, int maxMessageBytes, bool embedsImages)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public List<PendingMessage> Parse(IReadOnlyList<ConsumeResult<byte[], byte[]>> batch) => [.. batch.Select(Parse)];

    public PendingMessage Parse(ConsumeResult<byte[], byte[]> cr)
    {
        byte[] value = cr.Message.Value ?? [];
        EnvelopeParseResult parsed = EnvelopeParser.Parse(cr.Message.Key ?? ReadOnlyMemory<byte>.Empty, value, dimension, maxMessageBytes);
        if (parsed.Envelope is { } e)
        {
            if (e.Embedding is null && embedsImages)
            {
                // Embedded by the next stage, with the rest of the batch's images.
                return new PendingMessage(cr, new StreamSample(e.Id, e.Source, null), e);
            }

            if (e.Embedding is null)
            {
                return new PendingMessage(cr, StreamSample.Rejected(e.Id, "embedding_required", "the message has an image but no embedding, and this deployment has no image embedder configured"), e);
            }

            return new PendingMessage(cr, new StreamSample(e.Id, e.Source, e.Embedding) { TextEmbedding = e.TextEmbedding }, e);
        }

        EnvelopeRejection r = parsed.Rejection!;
        return new PendingMessage(cr, StreamSample.Rejected(r.Id ?? FallbackId(cr), r.Code, r.Message), null);
    }

    /// <summary>An invalid message without a readable id is known by its key, or by its position.</summary>
    private static string FallbackId(ConsumeResult<byte[], byte[]> cr)
    {
        if (cr.Message.Key is { Length: > 0 } key)
        {
            try
            {
                return StrictUtf8.GetString(key);
            }
            catch (DecoderFallbackException)
            {
                // Not text: fall through to the position.
            }
        }

        return $"{cr.Topic}/{cr.Partition.Value}/{cr.Offset.Value}";
    }
}
