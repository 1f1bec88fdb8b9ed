using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Stages;

/// <summary>The ledger write before routing, and its pause-and-retry while the ledger is down, against in-memory fakes.</summary>
public sealed class LedgerStageTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeStreamConsumer _consumer;

    public LedgerStageTests()
    {
        _consumer = new FakeStreamConsumer(_time);
        _consumer.Assigned.AddRange([InputMessages.Partition(0), InputMessages.Partition(1)]);
    }

    [Fact]
    public async Task OnlyQuarantinedMessagesAreRecordedWithWhereTheyCameFrom()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        LedgerStage stage = Stage(ledger);

        bool wrote = stage.Record(Decided(("a", Route.Clean), ("b", Route.Quarantine), ("c", Route.DeadLetter)), TestContext.Current.CancellationToken);

        Assert.True(wrote);
        QuarantineRecord record = Assert.IsType<QuarantineRecord>(await ledger.GetAsync("b", TestContext.Current.CancellationToken));
        Assert.Equal((InputMessages.Topic, 0, 1L), (record.SourceTopic, record.SourcePartition, record.SourceOffset));
        Assert.Equal(_time.GetUtcNow(), record.QuarantinedAt);
        Assert.Null(await ledger.GetAsync("a", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void ABatchWithoutQuarantineWritesNothing()
    {
        var ledger = new FlakyLedger(new InMemoryQuarantineLedger(_time), failingWrites: 0);

        Assert.False(Stage(ledger).Record(Decided(("a", Route.Clean)), TestContext.Current.CancellationToken));
        Assert.Equal(0, ledger.RecordCalls);
    }

    [Fact]
    public async Task AnOutagePausesEveryAssignedPartitionRetriesAndResumesOnceWritten()
    {
        var ledger = new FlakyLedger(new InMemoryQuarantineLedger(_time), failingWrites: 3);
        LedgerStage stage = Stage(ledger);
        long start = _time.GetTimestamp();

        Assert.True(stage.Record(Decided(("q", Route.Quarantine)), TestContext.Current.CancellationToken));

        Assert.Equal(4, ledger.RecordCalls);
        Assert.Equal(TimeSpan.FromSeconds(3), _time.GetElapsedTime(start));
        Assert.Equal(1, _consumer.ResumeCalls);
        Assert.Empty(_consumer.Paused);
        Assert.NotNull(await ledger.GetAsync("q", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void AMessageFromAPartitionAssignedDuringTheOutageIsRewoundAndItsPartitionPaused()
    {
        var ledger = new FlakyLedger(new InMemoryQuarantineLedger(_time), failingWrites: 1);
        _consumer.Enqueue(InputMessages.At(2, 40, "late"));

        Stage(ledger).Record(Decided(("q", Route.Quarantine)), TestContext.Current.CancellationToken);

        Assert.Equal(new Confluent.Kafka.TopicPartitionOffset(InputMessages.Partition(2), new Confluent.Kafka.Offset(40)), Assert.Single(_consumer.Seeks));
        Assert.Contains(InputMessages.Partition(2), _consumer.Paused);
    }

    [Fact]
    public void ACancelledStopEndsTheRetries()
    {
        var ledger = new FlakyLedger(new InMemoryQuarantineLedger(_time), failingWrites: int.MaxValue);
        using var cancel = new CancellationTokenSource();
        _time.CreateTimer(_ => cancel.Cancel(), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        Assert.ThrowsAny<OperationCanceledException>(() => Stage(ledger).Record(Decided(("q", Route.Quarantine)), cancel.Token));
    }

    [Fact]
    public void ARedeliveredMessageKeepsTheRouteItsFirstDeliveryPinned()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        LedgerStage stage = Stage(ledger, pinTtl: TimeSpan.FromMinutes(10));
        var repinned = new List<(string Id, Route Route)>();
        CancellationToken ct = TestContext.Current.CancellationToken;

        var first = stage.Pin(Decided(("a", Route.Clean), ("b", Route.Quarantine), ("d", Route.DeadLetter)), (v, r) => repinned.Add((v.SampleId, r)), ct);
        Assert.Equal([Route.Clean, Route.Quarantine, Route.DeadLetter], first.Select(d => d.Verdict.Route));
        Assert.Empty(repinned);

        // Delivered again and scored the other way round (another replica, a changed reference): the pins decide.
        var again = stage.Pin(Decided(("a", Route.Quarantine), ("b", Route.Clean), ("c", Route.Quarantine)), (v, r) => repinned.Add((v.SampleId, r)), ct);
        Assert.Equal([Route.Clean, Route.Quarantine, Route.Quarantine], again.Select(d => d.Verdict.Route));
        Assert.Equal([("a", Route.Clean), ("b", Route.Quarantine)], repinned);
        Assert.StartsWith("pinned: routed Clean when first delivered", again[0].Verdict.Reason, StringComparison.Ordinal);
        Assert.Equal("c", again[2].Verdict.SampleId);

        // Past the TTL the pin is gone and the new verdict stands.
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(Route.Quarantine, Assert.Single(stage.Pin(Decided(("a", Route.Quarantine)), (_, _) => { }, ct)).Verdict.Route);
    }

    [Fact]
    public void WithoutATtlNothingIsPinned()
    {
        var ledger = new InMemoryQuarantineLedger(_time);
        CancellationToken ct = TestContext.Current.CancellationToken;
        Stage(ledger).Pin(Decided(("a", Route.Clean)), (_, _) => { }, ct);
        var again = Stage(ledger).Pin(Decided(("a", Route.Quarantine)), (_, _) => Assert.Fail("no pin"), ct);
        Assert.Equal(Route.Quarantine, Assert.Single(again).Verdict.Route);
    }

    private LedgerStage Stage(IQuarantineLedger ledger, TimeSpan pinTtl = default) => new(ledger, _consumer, TimeSpan.FromSeconds(1), _time, NullLogger.Instance, pinTtl);


    private static List<(PendingMessage, Verdict)> Decided(params (string Id, Route Route)[] verdicts) =>
        [.. verdicts.Select((v, i) => (new PendingMessage(InputMessages.At(0, i, v.Id), new StreamSample(v.Id, "src", [1f, 0f]), null), TestVerdicts.Of(v.Id, v.Route)))];
}
