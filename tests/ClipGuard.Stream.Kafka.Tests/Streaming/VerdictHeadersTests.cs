using System.Text;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

public sealed class VerdictHeadersTests
{
    [Fact]
    public void OriginalHeadersPassThroughButForgedVerdictHeadersAreDropped()
    {
        var original = new Headers
        {
            { "traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") },
            { ClipGuardHeaders.Verdict, Encoding.UTF8.GetBytes("clean") },
            { ClipGuardHeaders.Score, Encoding.UTF8.GetBytes("0") },
            { "crawler-batch", [0xff, 0x00] },
        };
        var verdict = new Verdict("s1", Route.Quarantine, 12.5, "dao", 16, 5000, 42, "precomputed", 3.25, "score above threshold", ["a"], [0.5]);

        Headers h = VerdictHeaders.Build(verdict, original, "clipguard.pairs", 3, 1234);

        Assert.Equal(original.GetLastBytes("traceparent"), h.GetLastBytes("traceparent"));
        Assert.Equal(new byte[] { 0xff, 0x00 }, h.GetLastBytes("crawler-batch"));
        Assert.Single(h, x => x.Key == ClipGuardHeaders.Verdict);
        Assert.Equal("quarantine", Text(h, ClipGuardHeaders.Verdict));
        Assert.Equal("12.5", Text(h, ClipGuardHeaders.Score));
        Assert.Equal("3.25", Text(h, ClipGuardHeaders.Threshold));
        Assert.Equal("42", Text(h, ClipGuardHeaders.ReferenceVersion));
        Assert.Equal("5000", Text(h, ClipGuardHeaders.ReferenceSize));
        Assert.Equal("3", Text(h, ClipGuardHeaders.SourcePartition));
        Assert.Equal("1234", Text(h, ClipGuardHeaders.SourceOffset));
    }

    [Fact]
    public void ConformalVerdictsCarryTheirPValueCalibrationAndCampaignAndOthersDoNot()
    {
        var plain = new Verdict("s1", Route.Clean, 1.5, "dao", 16, 5000, 42, "precomputed", 3.25, "score at or below threshold", [], []);
        var conformal = plain with { Route = Route.Quarantine, PValue = 0.0004, CalibrationVersion = 17, CampaignId = "campaign-3" };

        Headers p = VerdictHeaders.Build(plain, null, "clipguard.pairs", 0, 1);
        Headers c = VerdictHeaders.Build(conformal, null, "clipguard.pairs", 0, 1);

        Assert.DoesNotContain(p, h => h.Key is ClipGuardHeaders.PValue or ClipGuardHeaders.CalibrationVersion or ClipGuardHeaders.Campaign);
        Assert.Equal("0.0004", Text(c, ClipGuardHeaders.PValue));
        Assert.Equal("17", Text(c, ClipGuardHeaders.CalibrationVersion));
        Assert.Equal("campaign-3", Text(c, ClipGuardHeaders.Campaign));
    }

    [Fact]
    public void ADeadLetterHasNoScoreButKeepsItsReason()
    {
        Verdict v = Verdict.DeadLetter("bad", "dao", 16, "precomputed", "invalid_json: unexpected end");
        Headers h = VerdictHeaders.Build(v, null, "clipguard.pairs", 0, 7);
        Assert.Equal("deadletter", Text(h, ClipGuardHeaders.Verdict));
        Assert.Equal(string.Empty, Text(h, ClipGuardHeaders.Score));
        Assert.Equal("invalid_json: unexpected end", Text(h, ClipGuardHeaders.Reason));
    }

    private static string Text(Headers h, string name) => Encoding.UTF8.GetString(h.GetLastBytes(name));
}
