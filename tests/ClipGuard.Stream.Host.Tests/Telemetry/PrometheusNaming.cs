namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// The series names an OpenTelemetry instrument gets from the Prometheus exporter: dots to underscores, the unit as a
/// suffix ("s" → _seconds, "By" → _bytes; annotations in braces add nothing), "_total" on counters, and _bucket, _sum,
/// _count on histograms. The scrape test checks this mapping against the real exporter's output.
/// </summary>
internal static class PrometheusNaming
{
    public static IReadOnlyList<string> SeriesNames(string otelName, string? unit, InstrumentKind kind)
    {
        string name = otelName.Replace('.', '_').Replace('-', '_');
        string suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "1" when kind == InstrumentKind.Gauge => "_ratio",
            _ => string.Empty,
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return kind switch
        {
            InstrumentKind.Counter => [name + "_total"],
            InstrumentKind.Histogram => [name + "_bucket", name + "_sum", name + "_count"],
            _ => [name],
        };
    }
}
