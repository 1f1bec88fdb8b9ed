namespace ClipGuard.Stream.Redis.Tests;

/// <summary>Quarantine records with awkward content: every byte value, binary headers, doubles that round badly.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public static byte[] AllBytes() => [.. Enumerable.Range(0, 256).Select(i => (byte)i), 0xC3, 0x28, 0xFF, 0x00];

    public static QuarantineRecord Record(string id, DateTimeOffset? at = null, string? source = "crawler-a", double score = 3.25) => new()
    {
        Id = id,
        Score = score,
        Detector = "lof",
        K = 16,
        ReferenceSize = 50_000,
        ReferenceVersion = 42,
        ModelVersion = "ViT-B-32@ckpt-7",
        Threshold = 1.5,
        NeighbourIds = ["n-1", "n/2:é", "n-3"],
        NeighbourDistances = [0.1 + 0.2, 1e-300, 0.7071067811865476],
        SourceTopic = "clipguard.pairs",
        SourcePartition = 3,
        SourceOffset = 9_007_199_254_740_993,
        Key = System.Text.Encoding.UTF8.GetBytes(id),
        Value = AllBytes(),
        Headers =
        [
            new QuarantineHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray()),
            new QuarantineHeader("binary", [0x00, 0xFF, 0x80]),
            new QuarantineHeader("empty", null),
            new QuarantineHeader("traceparent", [0x01]),
        ],
        QuarantinedAt = at ?? Epoch,
        Source = source,
        Caption = "a \"cat\" on a mat ✓",
        PValue = 0.00039984006397441024,
        CalibrationVersion = 12,
        Campaign = "campaign-2",
    };

    public static void AssertSame(QuarantineRecord expected, QuarantineRecord? actual, QuarantineStatus status)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Detector, actual.Detector);
        Assert.Equal(expected.K, actual.K);
        Assert.Equal(expected.ReferenceSize, actual.ReferenceSize);
        Assert.Equal(expected.ReferenceVersion, actual.ReferenceVersion);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Threshold, actual.Threshold);
        Assert.Equal(expected.NeighbourIds, actual.NeighbourIds);
        Assert.Equal(expected.NeighbourDistances, actual.NeighbourDistances);
        Assert.Equal(expected.SourceTopic, actual.SourceTopic);
        Assert.Equal(expected.SourcePartition, actual.SourcePartition);
        Assert.Equal(expected.SourceOffset, actual.SourceOffset);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Headers.Count, actual.Headers.Count);
        for (int i = 0; i < expected.Headers.Count; i++)
        {
            Assert.Equal(expected.Headers[i].Name, actual.Headers[i].Name);
            Assert.Equal(expected.Headers[i].Value, actual.Headers[i].Value);
        }

        Assert.Equal(expected.QuarantinedAt.ToUnixTimeMilliseconds(), actual.QuarantinedAt.ToUnixTimeMilliseconds());
        Assert.Equal(TimeSpan.Zero, actual.QuarantinedAt.Offset);
        Assert.Equal(status, actual.Status);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Caption, actual.Caption);
        Assert.Equal(expected.PValue, actual.PValue);
        Assert.Equal(expected.CalibrationVersion, actual.CalibrationVersion);
        Assert.Equal(expected.Campaign, actual.Campaign);
    }
}
