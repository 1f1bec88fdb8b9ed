using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ClipGuard.Stream.Bench;

/// <summary>One pipeline stage's total time and batch count, as the service's <c>clipguard.stage.duration</c> histogram holds them.</summary>
public sealed record StageTotal(string Stage, double Seconds, long Batches)
{
    public double MillisecondsPerBatch => Batches == 0 ? double.NaN : 1000 * Seconds / Batches;
}

/// <summary>
/// Where the service's time went (docs/benchmarks.md, stream): the per-stage sums and counts of
/// <c>clipguard.stage.duration</c> read from the service's Prometheus text exposition (<c>/metrics</c>).
/// </summary>
public static partial class StageSplit
{
    /// <summary>The stage totals in the exposition, in the order first seen; stages without both a sum and a count are left out.</summary>
    public static IReadOnlyList<StageTotal> Parse(string exposition)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (Match m in SeriesLine().Matches(exposition))
        {
            string stage = m.Groups["stage"].Value;
            if (!sums.ContainsKey(stage) && !counts.ContainsKey(stage))
            {
                order.Add(stage);
            }

            if (m.Groups["kind"].Value == "sum" && double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s))
            {
                sums[stage] = sums.GetValueOrDefault(stage) + s;
            }
            else if (m.Groups["kind"].Value == "count" && double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double c))
            {
                counts[stage] = counts.GetValueOrDefault(stage) + (long)c;
            }
        }

        return [.. order.Where(s => sums.ContainsKey(s) && counts.ContainsKey(s)).Select(s => new StageTotal(s, sums[s], counts[s]))];
    }

    /// <summary>The value of an unlabelled gauge (e.g. <c>clipguard_memory_managed_heap_bytes</c>) in the exposition; NaN when absent.</summary>
    public static double Gauge(string exposition, string name)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        foreach (string line in exposition.Split('\n'))
        {
            // "name value [timestamp]" or "name{labels} value [timestamp]".
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{')
            {
                string rest = line[name.Length] == '{' ? line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..] : line[name.Length..];
                string[] parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    return value;
                }
            }
        }

        return double.NaN;
    }

    /// <summary>A process's resident memory now and its peak, in MiB; NaN when it has exited or cannot be read.</summary>
    public static (double ResidentMib, double PeakMib) ProcessMemory(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return (process.WorkingSet64 / 1048576.0, process.PeakWorkingSet64 / 1048576.0);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return (double.NaN, double.NaN);
        }
    }

    /// <summary>CPU seconds (user + system) a process has used so far; NaN when it has exited or cannot be read.</summary>
    public static double ProcessCpuSeconds(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return process.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return double.NaN;
        }
    }

    [GeneratedRegex("""^clipguard_stage_duration_seconds_(?<kind>sum|count)\{[^}]*\bstage="(?<stage>[^"]+)"[^}]*\}\s+(?<value>\S+)""", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SeriesLine();
}
