using System.Text;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Streaming;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Sentinel;

/// <summary>
/// The window remembers, while the provisional window lasts, the samples routed clean (to judge again) and the samples
/// quarantined (on arrival or by a recall: the evidence a judgement groups the clean ones with), across a restart.
/// </summary>
public sealed class PairWindowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-window-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
    private long _offset;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void QuarantinedSamplesAndRecallsAreKeptAsEvidenceInArrivalOrderUntilTheProvisionalWindowEnds()
    {
        var options = new SentinelOptions { Directory = _dir, ProvisionalWindow = TimeSpan.FromMinutes(30), SegmentPairs = 3 };
        using (var window = new PairWindow(options, _time, NullLogger.Instance))
        {
            window.Add([Routed("c1", Route.Clean), Routed("q1", Route.Quarantine), Routed("c2", Route.Clean), Routed("dead", Route.DeadLetter)]);
            _time.Advance(TimeSpan.FromMinutes(10));
            window.Add([Routed("q2", Route.Quarantine), Routed("c3", Route.Clean)]);

            Assert.Equal(["c1", "c2", "c3"], Ids(window.Provisional()));
            Assert.Equal(["q1", "q2"], Ids(window.Quarantined()));
            Assert.Equal(("image-q1"u8.ToArray(), "caption q1"), window.Read(window.Quarantined()[0]));

            // A recall moves c2 from the provisional samples to the evidence, in its arrival order (before q2).
            window.Forget(new HashSet<string> { "c2" });
            Assert.Equal(["c1", "c3"], Ids(window.Provisional()));
            Assert.Equal(["q1", "c2", "q2"], Ids(window.Quarantined()));
        }

        // A restart recovers both from the sidecars (a recall is not in a sidecar: c2 is provisional again, as before).
        using (var restarted = new PairWindow(options, _time, NullLogger.Instance))
        {
            Assert.Equal(["c1", "c2", "c3"], Ids(restarted.Provisional()));
            Assert.Equal(["q1", "q2"], Ids(restarted.Quarantined()));

            // 25 minutes on, the first batch (routed 35 minutes ago) has left the provisional window.
            _time.Advance(TimeSpan.FromMinutes(25));
            Assert.Equal(["c3"], Ids(restarted.Provisional()));
            Assert.Equal(["q2"], Ids(restarted.Quarantined()));
        }
    }

    [Fact]
    public void WithoutAProvisionalWindowNothingIsRemembered()
    {
        using var window = new PairWindow(new SentinelOptions { Directory = _dir, ProvisionalWindow = TimeSpan.Zero }, _time, NullLogger.Instance);
        window.Add([Routed("c1", Route.Clean), Routed("q1", Route.Quarantine)]);
        Assert.Empty(window.Provisional());
        Assert.Empty(window.Quarantined());
        Assert.Equal(2, window.Pairs);
    }

    private static string[] Ids(IReadOnlyList<ProvisionalSample> samples) => [.. samples.Select(s => s.Record.Id)];

    private (PendingMessage, Verdict) Routed(string id, Route route)
    {
        var envelope = new SampleEnvelope(id, $"caption {id}", null, Encoding.UTF8.GetBytes($"image-{id}"), source: "crawler");
        var message = new ConsumeResult<byte[], byte[]>
        {
            Topic = "clipguard.pairs",
            Partition = new Partition(0),
            Offset = new Offset(_offset++),
            Message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = Encoding.UTF8.GetBytes($"value-{id}"), Headers = [] },
        };
        var verdict = new Verdict(id, route, 1.0, "dao", 16, 100, 1, "model@test", 2.0, "test", [], []);
        return (new PendingMessage(message, new StreamSample(id, "crawler", null), envelope), verdict);
    }
}
