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

    private readonly bool terminal = !Console.IsErrorRedirected;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private string? stage;
    private TimeSpan stageStart;
    private long stageStartDone;
    private TimeSpan lastShown;
    private bool lineOpen;

    public void Progress(string stage, long done, long total, string? detail = null)
    {
        lock (gate)
        {
            TimeSpan now = clock.Elapsed;
            if (stage != this.stage)
            {
                // The first report of a stage is the baseline of its rate (work done before it took unknown time).
                this.stage = stage;
                stageStart = now;
                stageStartDone = done;
                lastShown = now;
            }

            bool finished = done >= total;
            if (!finished && now - lastShown < (terminal ? TerminalEvery : LogEvery))
            {
                return;
            }

            lastShown = now;
            double seconds = Math.Max(1e-3, (now - stageStart).TotalSeconds);
            double rate = (done - stageStartDone) / seconds;
            TimeSpan eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{stage}: {done:N0}/{total:N0} ({100.0 * done / Math.Max(1, total):0.0}%), {rate:N0}/s, ETA {eta:hh\\:mm\\:ss}{(detail is null ? "" : ", " + detail)}");
            if (terminal)
            {
                Console.Error.Write("\r" + line.PadRight(120));
                lineOpen = !finished;
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
        lock (gate)
        {
            if (lineOpen)
            {
                Console.Error.WriteLine();
                lineOpen = false;
            }

            Console.Error.WriteLine(line);
        }
    }
}
