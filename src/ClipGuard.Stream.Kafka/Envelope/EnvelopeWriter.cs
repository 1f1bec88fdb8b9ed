using System.Buffers;
using System.Text.Json;

namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Writes a <see cref="SampleEnvelope"/> as the UTF-8 JSON value of the message contract, as a crawler would.</summary>
public static class EnvelopeWriter
{
    /// <summary>Appends the JSON of <paramref name="envelope"/> to <paramref name="output"/>; floats are written in
    /// their shortest round-trip form, so <see cref="EnvelopeParser"/> reads back the identical bits.</summary>
    public static void Write(SampleEnvelope envelope, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("id"u8, envelope.Id);
        writer.WriteString("caption"u8, envelope.Caption);
        if (envelope.Url is not null)
        {
            writer.WriteString("url"u8, envelope.Url);
        }

        if (envelope.Source is not null)
        {
            writer.WriteString("source"u8, envelope.Source);
        }

        if (envelope.Image is not null)
        {
            writer.WriteBase64String("image"u8, envelope.Image);
        }

        if (envelope.Embedding is not null)
        {
            writer.WriteStartArray("embedding"u8);
            foreach (float v in envelope.Embedding)
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        if (envelope.TextEmbedding is not null)
        {
            writer.WriteStartArray("text_embedding"u8);
            foreach (float v in envelope.TextEmbedding)
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static byte[] ToUtf8Bytes(SampleEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(envelope, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
