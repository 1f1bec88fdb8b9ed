using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

public sealed class HeldMessagesTests
{
    [Fact]
    public void VerdictsPairWithHeldMessagesByIdFirstComeFirstServedAndReleaseThem()
    {
        var held = new HeldMessages(new FakeTimeProvider());
        held.Add([Pending(0, 10, "a"), Pending(0, 11, "b"), Pending(1, 5, "a")]);

        var decided = held.Match([Clean("a"), Clean("a")]);

        Assert.Equal([10L, 5L], decided.Select(d => d.Message.Message.Offset.Value));
        Assert.Equal(1, held.Count);
    }

    [Fact]
    public void AVerdictWhoseMessageWasRevokedHasNothingToRoute()
    {
        var held = new HeldMessages(new FakeTimeProvider());
        held.Add([Pending(0, 10, "a"), Pending(1, 3, "b")]);
        held.Revoke([InputMessages.Partition(1)]);

        var decided = held.Match([Clean("a"), Clean("b")]);

        Assert.Equal("a", Assert.Single(decided).Verdict.SampleId);
        Assert.Equal(0, held.Count);
    }

    [Fact]
    public void OffsetsMovePastTheLastRoutedMessageButNeverPastOneStillHeld()
    {
        var held = new HeldMessages(new FakeTimeProvider());
        held.Add([Pending(0, 10, "a"), Pending(0, 11, "bootstrapping"), Pending(0, 12, "c"), Pending(1, 7, "d")]);
        var decided = held.Match([Clean("a"), Clean("c"), Clean("d")]);

        Dictionary<TopicPartition, Offset> offsets = held.CommittableOffsets(decided);

        Assert.Equal(11, offsets[InputMessages.Partition(0)].Value);
        Assert.Equal(8, offsets[InputMessages.Partition(1)].Value);
    }

    [Fact]
    public void HeldSinceIsWhenTheOldestHeldMessageArrived()
    {
        var time = new FakeTimeProvider();
        var held = new HeldMessages(time);
        held.Add([Pending(0, 1, "a")]);
        long first = held.HeldSince;
        time.Advance(TimeSpan.FromSeconds(5));
        held.Add([Pending(0, 2, "b")]);

        Assert.Equal(first, held.HeldSince);
        Assert.Equal(TimeSpan.FromSeconds(5), time.GetElapsedTime(held.HeldSince));
    }

    internal static PendingMessage Pending(int partition, long offset, string id) =>
        new(InputMessages.At(partition, offset, id), new StreamSample(id, "src", [1f, 0f]), null);

    internal static Verdict Clean(string id) => TestVerdicts.Of(id, Route.Clean);
}
