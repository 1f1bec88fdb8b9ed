using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Testing.Fakes;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Kafka.Tests.Streaming;

public sealed class BatchFillerTests
{
    [Fact]
    public void ABatchStopsAtMaxBatchSize()
    {
        var consumer = new FakeStreamConsumer(new FakeTimeProvider());
        for (int i = 0; i < 5; i++)
        {
            consumer.Enqueue(InputMessages.At(0, i, $"m{i}"));
        }

        var batch = new List<ConsumeResult<byte[], byte[]>>();
        Filler(consumer, maxBatch: 3).Fill(batch, () => true, TestContext.Current.CancellationToken);

        Assert.Equal([0L, 1L, 2L], batch.Select(m => m.Offset.Value));
    }

    [Fact]
    public void ABatchWaitsAtMostMaxBatchDelayAfterItsFirstMessage()
    {
        var time = new FakeTimeProvider();
        var consumer = new FakeStreamConsumer(time);
        consumer.Enqueue(InputMessages.At(0, 0, "m0"));
        long start = time.GetTimestamp();

        var batch = new List<ConsumeResult<byte[], byte[]>>();
        Filler(consumer, maxBatch: 100, idle: TimeSpan.Zero).Fill(batch, () => false, TestContext.Current.CancellationToken);

        Assert.Single(batch);
        Assert.Equal(TimeSpan.FromMilliseconds(200), time.GetElapsedTime(start));
    }

    [Fact]
    public void ABatchLeavesAsSoonAsTheStreamIsQuietForMaxBatchIdle()
    {
        var time = new FakeTimeProvider();
        var consumer = new FakeStreamConsumer(time);
        consumer.Enqueue(InputMessages.At(0, 0, "m0"));
        consumer.Enqueue(InputMessages.At(0, 1, "m1"));
        long start = time.GetTimestamp();

        var batch = new List<ConsumeResult<byte[], byte[]>>();
        Filler(consumer, maxBatch: 100, idle: TimeSpan.FromMilliseconds(10)).Fill(batch, () => false, TestContext.Current.CancellationToken);

        // Both queued messages, then one quiet poll of 10 ms: not the 200 ms batch timer.
        Assert.Equal([0L, 1L], batch.Select(m => m.Offset.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(10), time.GetElapsedTime(start));
    }

    [Fact]
    public void AnIdlePollReturnsAnEmptyBatchOnlyWhenOtherWorkWaits()
    {
        var consumer = new FakeStreamConsumer(new FakeTimeProvider());
        int asked = 0;
        var batch = new List<ConsumeResult<byte[], byte[]>>();

        Filler(consumer, maxBatch: 10).Fill(batch, () => ++asked == 3, TestContext.Current.CancellationToken);

        Assert.Empty(batch);
        Assert.Equal(3, asked);
        Assert.Equal(3, consumer.ConsumeCalls);
    }

    [Fact]
    public void TheIdleGapIsValidatedAtStart()
    {
        var validator = new KafkaStreamOptionsValidator();
        Assert.True(validator.Validate(null, new KafkaStreamOptions { BootstrapServers = "broker:9092", MaxBatchIdle = TimeSpan.Zero }).Succeeded);
        var negative = validator.Validate(null, new KafkaStreamOptions { BootstrapServers = "broker:9092", MaxBatchIdle = TimeSpan.FromMilliseconds(-1) });
        Assert.True(negative.Failed);
        Assert.Contains("MaxBatchIdle", negative.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new KafkaStreamOptions { BootstrapServers = "broker:9092", MaxBatchIdle = TimeSpan.FromMinutes(1) }).Failed);
    }

    private static BatchFiller Filler(FakeStreamConsumer consumer, int maxBatch, TimeSpan? idle = null) =>
        new(consumer, new KafkaStreamOptions { BootstrapServers = "fake:9092", MaxBatchSize = maxBatch, MaxBatchDelay = TimeSpan.FromMilliseconds(200), MaxBatchIdle = idle ?? TimeSpan.FromMilliseconds(10) }, consumer.Time!);
}
