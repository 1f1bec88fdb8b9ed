using ClipGuard.Stream.Host.Worker;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>The re-score waits are jittered so that replicas started together do not tick in lock-step.</summary>
public sealed class RescoreScheduleTests
{
    [Fact]
    public void WaitsStayWithinAQuarterOfTheIntervalAndSpreadOverIt()
    {
        TimeSpan interval = TimeSpan.FromSeconds(2);
        TimeSpan[] waits = [.. Enumerable.Range(0, 2000).Select(_ => RescoreWorker.Jittered(interval))];

        Assert.All(waits, w => Assert.InRange(w, interval * 0.75, interval * 1.25));

        // Both halves of the window are used: a lock-step phase cannot persist.
        Assert.Contains(waits, w => w < interval * 0.85);
        Assert.Contains(waits, w => w > interval * 1.15);
    }
}
