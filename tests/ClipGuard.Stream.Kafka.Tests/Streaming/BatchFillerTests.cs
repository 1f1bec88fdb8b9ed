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
        Filler(consumer, maxBatch: 100).Fill(batch, () => false, TestContext.Current.CancellationToken);

        Assert.Single(batch);
        Assert.Equal(TimeSpan.FromMilliseconds(200), time.GetElapsedTime(start));
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

    private static BatchFiller Filler(FakeStreamConsumer consumer, int maxBatch) =>
        new(consumer, new KafkaStreamOptions { BootstrapServers = "fake:9092", MaxBatchSize = maxBatch, MaxBatchDelay = TimeSpan.FromMilliseconds(200) }, consumer.Time!);
}
