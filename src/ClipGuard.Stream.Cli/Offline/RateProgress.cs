using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Offline;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>
/// Progress of a long offline run on stderr: fraction done, samples, rate and ETA. On a terminal one line is
/// rewritten every half second; redirected (logs, CI) a line is appended every ten seconds.
/// </summary>
internal sealed class RateProgress(string label, TextWriter stderr, bool terminal) : IProgress<RunProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private TimeSpan? _lastPrint;
    private bool _printed;

    public static RateProgress ForConsole(string label) => new(label, Console.Error, !Console.IsErrorRedirected);

    public void Report(RunProgress value)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            if (_lastPrint is { } last && now - last < (terminal ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(10)) && value.Done < value.Total)
            {
                return;
            }

            _lastPrint = now;
            string line = Format(label, value, now);
            if (terminal)
            {
                stderr.Write("\r" + line.PadRight(100));
            }
            else
            {
                stderr.WriteLine(line);
            }

            _printed = true;
        }
    }

    /// <summary>Ends the rewritten line so later output starts on a fresh one.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (terminal && _printed)
            {
                stderr.WriteLine();
            }
        }
    }

    /// <summary>"embed: 42.0%  1,234 samples  35.2/s  ETA 0:02:13": the ETA extrapolates the fraction done.</summary>
    internal static string Format(string label, RunProgress p, TimeSpan elapsed)
    {
        double fraction = p.Total > 0 ? Math.Clamp((double)p.Done / p.Total, 0, 1) : 1;
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        string eta = fraction > 0 && fraction < 1
            ? TimeSpan.FromSeconds(Math.Round(seconds * (1 - fraction) / fraction)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : fraction >= 1 ? "0:00:00" : "unknown";
        return string.Create(CultureInfo.InvariantCulture, $"{label}: {fraction * 100:F1}%  {p.Samples:N0} samples  {p.Samples / seconds:F1}/s  ETA {eta}");
    }
}
