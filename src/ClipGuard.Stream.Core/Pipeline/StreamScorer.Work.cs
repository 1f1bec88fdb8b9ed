using System.Diagnostics;

namespace ClipGuard.Stream.Core.Pipeline;

// Where a batch's decision spends its time: k-NN queries, admission, recalibration (ScorerWork).
public sealed partial class StreamScorer
{
    private long _queryTicks, _admitTicks, _calibrateTicks, _guardTicks;

    /// <summary>Wall time spent so far in k-NN queries, admission, recalibration and the guard (the <c>score</c> stage's parts).</summary>
    public ScorerWork Work => new(Ticks(_queryTicks), Ticks(_admitTicks), Ticks(_calibrateTicks), Ticks(_guardTicks));

    /// <summary>Recalibrates now: the conformal calibration from the pool, or the threshold from the members' leave-one-out scores.</summary>
    public void Recalibrate()
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            RecalibrateNow();
        }
        finally
        {
            _calibrateTicks += Stopwatch.GetTimestamp() - started;
        }
    }

    private static TimeSpan Ticks(long stopwatchTicks) => TimeSpan.FromSeconds(stopwatchTicks / (double)Stopwatch.Frequency);
}
