using System.Buffers;
using System.Text;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>Quarantine records as the stream worker writes them: a real contract envelope as value, the id as key.</summary>
internal static class Seeds
{
    public const int Dimension = 512;

    public static QuarantineRecord Record(
        string id, string caption = "a photo of a golden retriever on a beach", string source = "crawl-7", byte[]? image = null, double score = 4.731)
    {
        var random = new Random(id.GetHashCode(StringComparison.Ordinal));
        float[] embedding = [.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var value = new ArrayBufferWriter<byte>();
        EnvelopeWriter.Write(new SampleEnvelope(id, caption, embedding, image, url: $"https://img.example/{id}.jpg", source: source), value);
        return new QuarantineRecord
        {
            Id = id,
            Score = score,
            Detector = "lof",
            K = 16,
            ReferenceSize = 20_000,
            ReferenceVersion = 311,
            ModelVersion = "ViT-B-32@laion2b-e16",
            Threshold = 1.62,
            NeighbourIds = ["laion-000017", "laion-004211", "laion-013370"],
            NeighbourDistances = [0.412, 0.448, 0.5],
            SourceTopic = "clipguard.pairs",
            SourcePartition = 2,
            SourceOffset = 18_233,
            Key = Encoding.UTF8.GetBytes(id),
            Value = value.WrittenSpan.ToArray(),
            Headers =
            [
                new QuarantineHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"u8.ToArray()),
                new QuarantineHeader("crawler-batch", [0x00, 0xFF, 0x7F, 0x80]),
                new QuarantineHeader("empty", null),
            ],
            QuarantinedAt = DateTimeOffset.UtcNow,
            Source = source,
            Caption = caption,
        };
    }

    /// <summary>Writes records straight into the ledger under <paramref name="prefix"/>, as the stream worker would.</summary>
    public static async Task StoreAsync(string configuration, string prefix, params QuarantineRecord[] records)
    {
        var options = ReleaserStack.RedisOptions(configuration, prefix);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options.Configuration);
        var ledger = new RedisQuarantineLedger(redis, Options.Create(options), TimeProvider.System, NullLogger<RedisQuarantineLedger>.Instance);
        Assert.Equal(records.Length, await ledger.RecordAsync(records, TestContext.Current.CancellationToken));
    }
}
