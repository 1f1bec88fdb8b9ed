using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>OpenTelemetry wiring: ClipGuard's instrumentation, a Prometheus scrape endpoint, and OTLP export of
/// metrics, traces and logs when a collector is configured.</summary>
public static class TelemetryHostingExtensions
{
    /// <summary>The standard variable the OTLP exporter also honours on its own.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The scrape path (the Prometheus convention).</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// Registers <see cref="ClipGuardInstrumentation"/> and the OpenTelemetry SDK. Metrics always (the scrape endpoint
    /// needs them); traces and OTel logs only with an OTLP endpoint, since nothing else would receive them.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddClipGuardInstrumentation();

        // Read once here, not in a constructor: what is exported is decided when the host is built.
        var options = new TelemetryOptions();
        builder.Configuration.GetSection(TelemetryOptions.SectionName).Bind(options);
        // A malformed endpoint is left to the options validator, which stops the host at start with a clear message.
        Uri? endpoint = Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out Uri? parsed) ? parsed : null;
        bool otlp = endpoint is not null
            || (string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]));

        OpenTelemetryBuilder otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceVersion: typeof(ClipGuardInstrumentation).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddMeter(ClipGuardInstrumentation.MeterName);
                // Not the System.Runtime meter: four of its gauges end in "_count", which promtool's lint rejects
                // on a gauge, and the scrape output is kept lint-clean (tests run promtool check metrics on it).
                m.AddAspNetCoreInstrumentation();
                if (options.Prometheus)
                {
                    m.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            otel.WithTracing(t => t.AddSource(ClipGuardInstrumentation.ActivitySourceName).AddAspNetCoreInstrumentation());
            otel.WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
            if (endpoint is null)
            {
                otel.UseOtlpExporter();
            }
            else
            {
                otel.UseOtlpExporter(options.OtlpProtocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, endpoint);
            }
        }

        return builder;
    }

    /// <summary>
    /// The instrumentation singleton and its options, once however often this is called: the stream service needs it
    /// whether or not an SDK listens (without one, every instrument is a no-op).
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardInstrumentation(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ClipGuardInstrumentation)))
        {
            return builder;
        }

        builder.Services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ClipGuardInstrumentation>();
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is enabled. Unauthenticated, like every scrape target: it
    /// carries counts, never sample content.</summary>
    public static WebApplication MapClipGuardTelemetry(this WebApplication app)
    {
        // From configuration rather than the validated options: resolving those here would throw before the host
        // runs, outside the caller's handling of invalid options.
        if (app.Configuration.GetValue($"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Prometheus)}", true))
        {
            app.MapPrometheusScrapingEndpoint(ScrapePath);
        }

        return app;
    }
}
