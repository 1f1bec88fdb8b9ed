using System.Diagnostics;
using ClipGuard.Stream.Host.Telemetry;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary><c>AddClipGuardTelemetry</c> on a real web host: OTLP export of all three signals when configured,
/// Prometheus alone otherwise, options validated at start.</summary>
public sealed class TelemetryHostingTests
{
    [Fact]
    public async Task WithAnOtlpEndpointMetricsTracesAndLogsReachTheCollector()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using OtlpReceiver collector = await OtlpReceiver.StartAsync(cancel);
        WebApplication app = Build(new()
        {
            ["ClipGuard:Telemetry:OtlpEndpoint"] = collector.Endpoint.ToString(),
            ["ClipGuard:Telemetry:OtlpProtocol"] = nameof(OtlpProtocol.HttpProtobuf),
        });
        await app.StartAsync(cancel);
        var telemetry = app.Services.GetRequiredService<ClipGuardInstrumentation>();
        using (Activity? batch = telemetry.StartBatch([new ConsumeResult<byte[], byte[]> { Message = new Message<byte[], byte[]> { Headers = [] } }]))
        {
            Assert.NotNull(batch);
            telemetry.RecordStage(PipelineStages.Parse, Stopwatch.GetTimestamp());
        }

        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClipGuard.Test").LogWarning("a log record for the collector");

        // The scrape endpoint serves alongside OTLP.
        using (var http = new HttpClient())
        {
            string metrics = await http.GetStringAsync(new Uri(new Uri(app.Urls.Single()), TelemetryHostingExtensions.ScrapePath), cancel);
            Assert.Contains("clipguard_batch_size_bucket", metrics, StringComparison.Ordinal);
        }

        // Stopping the host flushes every provider.
        await app.StopAsync(cancel);
        await app.DisposeAsync();
        foreach (string signal in new[] { "traces", "metrics", "logs" })
        {
            Assert.True(collector.BytesBySignal.TryGetValue(signal, out long bytes) && bytes > 0, $"nothing exported to /v1/{signal}: {string.Join(", ", collector.BytesBySignal)}");
        }
    }

    [Fact]
    public async Task WithoutOtlpNoSpanIsRecordedAndTheInputTraceHeadersPassThrough()
    {
        WebApplication app = Build(new() { [TelemetryHostingExtensions.OtlpEndpointVariable] = string.Empty });
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            Assert.Null(app.Services.GetService<TracerProvider>());
            var telemetry = app.Services.GetRequiredService<ClipGuardInstrumentation>();
            var headers = new Headers { { "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray() } };
            Activity? span = telemetry.StartRoute(new ConsumeResult<byte[], byte[]> { Topic = "t", Message = new Message<byte[], byte[]> { Headers = headers } },
                new Core.Pipeline.Verdict("s", Core.Pipeline.Route.Clean, 1, "dao", 16, 10, 1, "m", 2, "r", [], []), "clipguard.clean");
            Assert.Null(span);
            KafkaTraceContext.Inject(span, headers);
            Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", System.Text.Encoding.UTF8.GetString(Assert.Single(headers).GetValueBytes()));
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("ClipGuard:Telemetry:MaxSources", "0", "MaxSources")]
    [InlineData("ClipGuard:Telemetry:LagInterval", "00:00:00", "LagInterval")]
    [InlineData("ClipGuard:Telemetry:OtlpEndpoint", "not a url", "OtlpEndpoint")]
    public async Task InvalidTelemetryOptionsStopTheHostAtStart(string key, string value, string member)
    {
        WebApplication app = Build(new() { [key] = value });
        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(member, string.Join("; ", e.Failures), StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        WebApplicationBuilder builder = LoopbackWebHost.CreateBuilder(settings);
        builder.AddClipGuardTelemetry();
        WebApplication app = builder.Build();
        app.MapClipGuardTelemetry();
        return app;
    }
}
