using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// Reads the clean, quarantine and dead-letter topics (<see cref="VerdictReader"/>: its own group, from the start) and keeps
/// the verdicts of one service run, recognised by its detector and k headers; a dead letter is an error here.
/// <c>serviceRunning</c> is asked on every poll: false (the service is gone for good) ends the collection.
/// </summary>
internal static class VerdictCollector
{
    public static (Dictionary<string, StreamVerdict> Verdicts, double Seconds, double Threshold) Collect(
        string bootstrap, string detector, int k, ISet<string> expected, Func<bool> serviceRunning, TimeSpan timeout, Action<int> progress)
    {
        using var reader = new VerdictReader(bootstrap, $"lab-collector-{detector}-{k}");
        var verdicts = new Dictionary<string, StreamVerdict>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null, last = null;
        double threshold = double.NaN;
        string kText = k.ToString(CultureInfo.InvariantCulture);
        while (verdicts.Count < expected.Count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"the stream routed {verdicts.Count} of {expected.Count} images within {timeout} (log: stream-{detector}-{k}.log in the run directory)");
            }

            if (!serviceRunning())
            {
                throw new InvalidOperationException($"clipguard run kept exiting; {verdicts.Count} of {expected.Count} images routed (log: stream-{detector}-{k}.log in the run directory)");
            }

            if (reader.Read(TimeSpan.FromMilliseconds(200)) is not { } r)
            {
                continue;
            }

            string id = r.Id;
            IReadOnlyDictionary<string, string> headers = r.Headers;
            if (r.Topic == TopicNames.DeadLetter && expected.Contains(id))
            {
                throw new InvalidDataException($"image {id} was dead-lettered: {headers.GetValueOrDefault(ClipGuardHeaders.Reason)}");
            }

            if (!expected.Contains(id) || headers.GetValueOrDefault(ClipGuardHeaders.Detector) != detector || headers.GetValueOrDefault(ClipGuardHeaders.K) != kText)
            {
                continue;
            }

            double score = double.Parse(headers[ClipGuardHeaders.Score], CultureInfo.InvariantCulture);
            if (headers.TryGetValue(ClipGuardHeaders.Threshold, out string? t))
            {
                // An empty threshold header is a non-finite threshold: under the conformal rule, a budget the
                // calibration cannot reach yet (nothing is quarantined), docs/message-contract.md.
                threshold = t.Length == 0 ? double.PositiveInfinity : double.Parse(t, CultureInfo.InvariantCulture);
            }

            // At-least-once: a repeated copy carries the same decision; the first one counts.
            if (verdicts.TryAdd(id, new StreamVerdict(r.Topic, score)))
            {
                first ??= clock.Elapsed;
                last = clock.Elapsed;
                progress(verdicts.Count);
            }
        }

        return (verdicts, ((last ?? TimeSpan.Zero) - (first ?? TimeSpan.Zero)).TotalSeconds, threshold);
    }
}
