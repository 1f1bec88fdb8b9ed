using System.Formats.Tar;
using System.Text;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Lab.Data;
using Confluent.Kafka;

namespace ClipGuard.Stream.Offline.Tests.Publishing;

/// <summary>
/// A dataset to publish: good pairs from <see cref="PoisonedFashion"/>, plus one pair each that must be counted, not
/// sent: no caption, an image the decoder refuses, and an image too large for a 4 KiB message. Checks what a topic
/// received against it.
/// </summary>
internal sealed class PublishDataset
{
    public const int MaxMessageBytes = 4096;
    public const string NoCaptionKey = "broken-no-caption";
    public const string CorruptKey = "broken-corrupt";
    public const string TooLargeKey = "broken-too-large";

    public PublishDataset(int good) => Good = PoisonedFashion.Create(good, 2);

    public List<TestSample> Good { get; }

    /// <summary>Writes the good pairs in two shards of <paramref name="layout"/> ("tar" or "files") and the broken pairs into the last shard.</summary>
    public void Write(string folder, string layout)
    {
        int perShard = (Good.Count + 1) / 2;
        if (layout == "tar")
        {
            DatasetWriter.WriteTar(folder, Good, perShard);
        }
        else
        {
            DatasetWriter.WriteFiles(folder, Good, perShard);
        }

        // Broken members go in a shard of their own, after the good ones. The noise PNG fits the reader's member
        // limit (the message limit) but not once base64 in JSON, which adds a third.
        var noise = new byte[56 * 56];
        new Random(3).NextBytes(noise);
        byte[] large = LabImages.Png(noise, 56, 56);
        Assert.InRange(large.Length, MaxMessageBytes * 3 / 4, MaxMessageBytes);
        var broken = new TestSample[]
        {
            new(TooLargeKey, large, "png", "far too many bytes", "https://big.example/x.png", false),
            new(CorruptKey, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4], "png", "unreadable", "https://bad.example/y.png", false),
        };
        var members = broken.SelectMany(DatasetWriter.Members).Append((Name: $"{NoCaptionKey}.png", Data: Good[0].Image)).ToList();
        if (layout == "tar")
        {
            using var file = File.Create(Path.Combine(folder, "00002.tar"));
            using var tar = new TarWriter(file, TarEntryFormat.Pax);
            members.ForEach(m => DatasetWriter.AddMember(tar, m.Name, m.Data));
        }
        else
        {
            string last = Directory.CreateDirectory(Path.Combine(folder, "00002")).FullName;
            members.ForEach(m => File.WriteAllBytes(Path.Combine(last, m.Name), m.Data));
        }
    }

    /// <summary>Every good pair arrived exactly once, key = id, with its caption, URL, source and image bytes, and
    /// parses with the service's own parser as an image-only sample; nothing else arrived.</summary>
    public void AssertReceived(IReadOnlyList<ConsumeResult<byte[], byte[]>> consumed, IReadOnlyCollection<TestSample> expected)
    {
        var byKey = consumed.GroupBy(c => Encoding.UTF8.GetString(c.Message.Key)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(expected.Select(s => s.Key).Order(StringComparer.Ordinal), byKey.Keys.Order(StringComparer.Ordinal));
        foreach (TestSample sample in expected)
        {
            var message = Assert.Single(byKey[sample.Key]).Message;
            EnvelopeParseResult parsed = EnvelopeParser.Parse(message.Key, message.Value, expectedDim: 512, MaxMessageBytes);
            Assert.True(parsed.IsValid, parsed.Rejection?.Message);
            SampleEnvelope envelope = parsed.Envelope!;
            Assert.Equal(sample.Key, envelope.Id);
            Assert.Equal(sample.Caption, envelope.Caption);
            Assert.Equal(sample.Url, envelope.Url);
            Assert.Equal(new Uri(sample.Url).Host, envelope.Source);
            Assert.Null(envelope.Embedding);
            Assert.Equal(sample.Image, envelope.Image);
        }
    }
}
