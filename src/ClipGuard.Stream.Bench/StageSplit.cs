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

    /// <summary>CPU seconds (user + system) a Linux process has used, from <c>/proc/PID/stat</c>; NaN when it cannot be read.</summary>
    public static double ProcessCpuSeconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // Fields after the command name (which may hold spaces, inside parentheses): state is the 3rd field, utime the 14th, stime the 15th.
            string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            const double userHz = 100;   // USER_HZ: fixed at 100 in the Linux ABI on x86-64 and arm64
            return (long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)) / userHz;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return double.NaN;
        }
    }

    [GeneratedRegex("""^clipguard_stage_duration_seconds_(?<kind>sum|count)\{[^}]*\bstage="(?<stage>[^"]+)"[^}]*\}\s+(?<value>\S+)""", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SeriesLine();
}
