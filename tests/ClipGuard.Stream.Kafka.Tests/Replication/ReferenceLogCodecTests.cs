using System.Text;
using ClipGuard.Stream.Kafka.Replication;

namespace ClipGuard.Stream.Kafka.Tests.Replication;

public sealed class ReferenceLogCodecTests
{
    [Fact]
    public void OffersTombstonesAndRecalibrationsRoundTrip()
    {
        float[] embedding = [0.5f, -1.25f, float.Epsilon, 3e30f];
        ReferenceLogRecord offer = ReferenceLogCodec.Decode(ReferenceLogCodec.Key("s1"), ReferenceLogCodec.Offer("host-1", "crawler-α", embedding));
        Assert.Equal(ReferenceLogOp.Offer, offer.Op);
        Assert.Equal("s1", offer.SampleId);
        Assert.Equal("host-1", offer.Proposer);
        Assert.Equal("crawler-α", offer.Source);
        Assert.Equal(embedding, offer.Embedding);

        Assert.Null(ReferenceLogCodec.Decode(ReferenceLogCodec.Key("s2"), ReferenceLogCodec.Offer("h", null, [1f])).Source);

        ReferenceLogRecord tombstone = ReferenceLogCodec.Decode(ReferenceLogCodec.Key("s3"), null);
        Assert.Equal(new ReferenceLogRecord(ReferenceLogOp.Revoke, "s3", null, null, null), tombstone);

        ReferenceLogRecord recalibrate = ReferenceLogCodec.Decode(ReferenceLogCodec.Key(ReferenceLogCodec.RecalibrateKey), ReferenceLogCodec.Recalibrate("host-2"));
        Assert.Equal(ReferenceLogOp.Recalibrate, recalibrate.Op);
        Assert.Equal("host-2", recalibrate.Proposer);
    }

    [Fact]
    public void DamagedRecordsAreRejectedWithTheProblemNamed()
    {
        byte[] key = ReferenceLogCodec.Key("s1");
        byte[] good = ReferenceLogCodec.Offer("h", "src", [1f, 2f, 3f]);

        Assert.Contains("CGRL", Assert.Throws<FormatException>(() => ReferenceLogCodec.Decode(key, Encoding.UTF8.GetBytes("{\"id\": 1}"))).Message);
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => ReferenceLogCodec.Decode(key, good[..9])).Message);
        Assert.Contains("floats", Assert.Throws<FormatException>(() => ReferenceLogCodec.Decode(key, good[..^2])).Message);

        byte[] future = (byte[])good.Clone();
        future[4] = 9;
        Assert.Contains("format 9", Assert.Throws<FormatException>(() => ReferenceLogCodec.Decode(key, future)).Message);

        byte[] unknown = (byte[])good.Clone();
        unknown[5] = 42;
        Assert.Contains("unknown op 42", Assert.Throws<FormatException>(() => ReferenceLogCodec.Decode(key, unknown)).Message);
    }
}
