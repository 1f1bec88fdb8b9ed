using ClipGuard.Stream.Host.Api;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>Builds and runs the service host: the stream worker plus the HTTP endpoints on one web host.</summary>
public static class ClipGuardService
{
    /// <summary>Exit codes: 0 after a clean stop, 1 when the stream loop failed, 2 for invalid options.</summary>
    /// <param name="configure">Runs after the service's own registrations (a host that adds or replaces services).</param>
    public static int Run(IReadOnlyDictionary<string, string?> settings, TextWriter errors, Action<IHostApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        WebApplication? app = Build(settings, errors, configure);
        if (app is null)
        {
            return 2;
        }

        try
        {
            app.Run();
        }
        catch (OptionsValidationException e)
        {
            errors.WriteLine($"clipguard run: invalid configuration: {string.Join("; ", e.Failures)}");
            return 2;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            // Several option sections failed at once: name every failure.
            errors.WriteLine($"clipguard run: invalid configuration: {string.Join("; ", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures))}");
            return 2;
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException f)
        {
            // The configuration binder could not convert a value (an unknown enum name, a malformed time span).
            errors.WriteLine($"clipguard run: invalid configuration: {e.Message} {f.Message}");
            return 2;
        }

        return Environment.ExitCode;
    }

    /// <summary>
    /// The service host, built but not started (the demo starts it inside its own process). Null, with the reason
    /// written to <paramref name="errors"/>, when the settings cannot work together. Options are validated on start.
    /// </summary>
    /// <param name="configure">Runs after the service's own registrations (a host that adds or replaces services).</param>
    public static WebApplication? Build(IReadOnlyDictionary<string, string?> settings, TextWriter errors, Action<IHostApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        bool api = !string.IsNullOrWhiteSpace(builder.Configuration[$"{OperatorApiOptions.SectionName}:Token"]);
        if (api && string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:Configuration"]))
        {
            errors.WriteLine("clipguard run: the operator API (ClipGuard:Api:Token) needs the Redis ledger (--redis)");
            return null;
        }

        builder.AddClipGuardStream();
        builder.AddClipGuardTelemetry();
        if (api)
        {
            builder.AddClipGuardOperatorApi();
        }

        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapClipGuardTelemetry();
        if (api)
        {
            app.MapOperatorApi();
        }
        else
        {
            app.MapGet("/healthz", () => "ok");
        }

        return app;
    }
}
