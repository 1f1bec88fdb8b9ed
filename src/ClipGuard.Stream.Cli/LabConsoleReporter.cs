using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Lab;

namespace ClipGuard.Stream.Cli;

/// <summary>
/// The lab's progress on stderr with rate and ETA: rewritten in place on a terminal, one line every few seconds when
/// redirected (a nohup log stays readable).
/// </summary>
internal sealed class LabConsoleReporter : ILabReporter
{
    private static readonly TimeSpan TerminalEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private string? _stage;
    private TimeSpan _stageStart;
    private long _stageStartDone;
    private TimeSpan _lastShown;
    private bool _lineOpen;

    public void Progress(string stage, long done, long total, string? detail = null)
    {
        lock (_gate)
        {
            TimeSpan now = _clock.Elapsed;
            if (stage != _stage)
            {
                // The first report of a stage is the baseline of its rate (work done before it took unknown time).
                _stage = stage;
                _stageStart = now;
                _stageStartDone = done;
                _lastShown = now;
            }

            bool finished = done >= total;
            if (!finished && now - _lastShown < (_terminal ? TerminalEvery : LogEvery))
            {
                return;
            }

            _lastShown = now;
            double seconds = Math.Max(1e-3, (now - _stageStart).TotalSeconds);
            double rate = (done - _stageStartDone) / seconds;
            TimeSpan eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{stage}: {done:N0}/{total:N0} ({100.0 * done / Math.Max(1, total):0.0}%), {rate:N0}/s, ETA {eta:hh\\:mm\\:ss}{(detail is null ? "" : ", " + detail)}");
            if (_terminal)
            {
                Console.Error.Write("\r" + line.PadRight(120));
                _lineOpen = !finished;
                if (finished)
                {
                    Console.Error.WriteLine();
                }
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    public void Info(string line)
    {
        lock (_gate)
        {
            if (_lineOpen)
            {
                Console.Error.WriteLine();
                _lineOpen = false;
            }

            Console.Error.WriteLine(line);
        }
    }
}
