using System.Globalization;
using ClipGuard.Stream.Kafka.Contract;

namespace ClipGuard.Stream.Kafka.Verdicts;

/// <summary>
/// One message as it arrived on an output topic: where it was routed, its key (the sample id), its value and its
/// headers (UTF-8, the last value of a repeated name), with the verdict headers read out.
/// </summary>
public sealed record RoutedCopy(string Topic, string Id, byte[] Value, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>When the reader received it, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long ReceivedTimestamp { get; init; }

    /// <summary>The score header; NaN when absent (dead letters) or unreadable.</summary>
    public double Score => Number(ClipGuardHeaders.Score);

    /// <summary>The threshold header; NaN when absent (dead letters) or unreadable.</summary>
    public double Threshold => Number(ClipGuardHeaders.Threshold);

    /// <summary>The conformal p-value header; NaN when absent (robust-z verdicts, dead letters) or unreadable.</summary>
    public double PValue => Number(ClipGuardHeaders.PValue);

    /// <summary>The dead-letter reason, or null.</summary>
    public string? Reason => Headers.GetValueOrDefault(ClipGuardHeaders.Reason);

    /// <summary>A copy an operator released later, not a verdict of the service.</summary>
    public bool IsRelease => Headers.ContainsKey(ClipGuardHeaders.ReleasedBy);

    /// <summary>Each sample id's first copy in the order given (its verdict as routed, before any later copy).</summary>
    public static Dictionary<string, RoutedCopy> FirstById(IEnumerable<RoutedCopy> copies)
    {
        ArgumentNullException.ThrowIfNull(copies);
        var first = new Dictionary<string, RoutedCopy>(StringComparer.Ordinal);
        foreach (RoutedCopy copy in copies)
        {
            first.TryAdd(copy.Id, copy);
        }

        return first;
    }

    private double Number(string name) =>
        double.TryParse(Headers.GetValueOrDefault(name), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : double.NaN;
}
