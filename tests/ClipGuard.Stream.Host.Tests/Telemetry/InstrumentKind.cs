namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>How Prometheus types an instrument.</summary>
internal enum InstrumentKind
{
    Counter,
    Gauge,
    Histogram,
}
