using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>Metrics, traces and logs export. Section "ClipGuard:Telemetry"; validated at start.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "ClipGuard:Telemetry";
    public const int DefaultMaxSources = 20;
    public const int MaxMaxSources = 1000;
    public const string DefaultServiceName = "clipguard";

    /// <summary>OTLP collector address (e.g. http://otel-collector:4317). Empty: the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT decides; neither set: no OTLP export at all (Prometheus scraping still works).</summary>
    [Url]
    public string? OtlpEndpoint { get; set; }

    /// <summary>Grpc (port 4317) or HttpProtobuf (port 4318) for <see cref="OtlpEndpoint"/>.</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>Serve the Prometheus text format at /metrics on the service's HTTP port.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Distinct <c>source</c> tag values before later sources are counted as "other": every value is a
    /// time series in Prometheus, and crawl sources are unbounded.</summary>
    [Range(1, MaxMaxSources)]
    public int MaxSources { get; set; } = DefaultMaxSources;

    /// <summary>How often the consumer lag is sampled from the consumer's cached watermarks.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The OpenTelemetry service.name resource attribute.</summary>
    [Required]
    [MinLength(1)]
    public string ServiceName { get; set; } = DefaultServiceName;
}
