using ClipGuard.Stream.Host.Stages;

namespace ClipGuard.Stream.Host.Tests.Stages;

public sealed class BetweenBatchesTests
{
    [Fact]
    public async Task QueuedWorkRunsOnlyWhenTheStreamThreadRunsItAndHandsBackItsResult()
    {
        var work = new BetweenBatches();
        Task<int> answer = work.Run(() => 42);

        Assert.False(work.IsEmpty);
        Assert.False(answer.IsCompleted);
        work.RunQueued();

        Assert.True(work.IsEmpty);
        Assert.Equal(42, await answer);
    }

    [Fact]
    public async Task AFailureReachesTheCallerNotTheStreamThread()
    {
        var work = new BetweenBatches();
        Task<int> answer = work.Run<int>(() => throw new InvalidOperationException("re-score failed"));

        work.RunQueued();

        await Assert.ThrowsAsync<InvalidOperationException>(() => answer);
    }
}
