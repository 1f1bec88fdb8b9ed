namespace ClipGuard.Stream.Host.Hosting;

/// <summary>Reports progress on the reporting thread, at most once per <paramref name="interval"/> (a long start-up says it is alive).</summary>
internal sealed class ThrottledProgress(TimeProvider time, TimeSpan interval, Action<int> report) : IProgress<int>
{
    private long _last = time.GetTimestamp();

    public void Report(int value)
    {
        if (time.GetElapsedTime(_last) < interval)
        {
            return;
        }

        _last = time.GetTimestamp();
        report(value);
    }
}
