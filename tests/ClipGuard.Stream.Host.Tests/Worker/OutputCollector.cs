using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>
/// A downstream consumer of all three output topics (<see cref="VerdictListener"/>: its own group, its own thread):
/// what a user of ClipGuard's outputs sees. Keeps every copy, so duplicates (allowed at-least-once, removed by key)
/// are visible.
/// </summary>
internal sealed class OutputCollector : IDisposable
{
    private readonly VerdictListener _listener;

    public OutputCollector(string bootstrap, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        _listener = new VerdictListener(bootstrap, "collector", isolation);
    }

    public List<RoutedCopy> Snapshot() => _listener.Snapshot();

    public int DistinctIds() => _listener.DistinctIds;

    /// <summary>Waits until <paramref name="ids"/> distinct ids arrived, then a little longer for any surplus.</summary>
    public List<RoutedCopy> WaitForDistinct(int ids, TimeSpan timeout, Func<string> diagnostics, Func<bool> serviceExited)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DistinctIds() < ids)
        {
            if (serviceExited())
            {
                throw new InvalidOperationException($"clipguard run exited with {DistinctIds()} of {ids} ids routed\n{diagnostics()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{DistinctIds()} of {ids} ids routed within {timeout}\n{diagnostics()}");
            }

            Thread.Sleep(200);
        }

        Thread.Sleep(1500);
        return Snapshot();
    }

    public void Dispose() => _listener.Dispose();
}
