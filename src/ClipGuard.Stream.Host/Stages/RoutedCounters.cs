using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>What has been routed so far: counted per output, logged per batch (debug) and every ten seconds (progress).</summary>
internal sealed class RoutedCounters(StreamScorer scorer, TimeProvider time, ILogger log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);
    private long _clean, _quarantined, _deadLetter;
    private long _lastProgress;

    public void Add(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided, int held)
    {
        int clean = decided.Count(d => d.Verdict.Route == Route.Clean);
        int quarantined = decided.Count(d => d.Verdict.Route == Route.Quarantine);
        _clean += clean;
        _quarantined += quarantined;
        _deadLetter += decided.Count - clean - quarantined;
        Log.BatchRouted(log, decided.Count, clean, quarantined, decided.Count - clean - quarantined, held);
        if (_lastProgress == 0 || time.GetElapsedTime(_lastProgress) > ProgressInterval)
        {
            _lastProgress = time.GetTimestamp();
            Log.Progress(log, _clean, _quarantined, _deadLetter, scorer.Reference.Count, scorer.Reference.Version, scorer.Threshold);
        }
    }
}
