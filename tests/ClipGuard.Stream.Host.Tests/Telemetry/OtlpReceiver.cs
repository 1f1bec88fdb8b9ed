using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// A minimal OTLP/HTTP endpoint on a real loopback listener: records the payload size per signal
/// (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>) and answers with an empty export response.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, ConcurrentDictionary<string, long> received)
    {
        _app = app;
        Endpoint = new Uri(app.Urls.Single());
        BytesBySignal = received;
    }

    public Uri Endpoint { get; }

    public ConcurrentDictionary<string, long> BytesBySignal { get; }

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancel)
    {
        WebApplication app = LoopbackWebHost.CreateBuilder().Build();
        var received = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.AddOrUpdate(signal, body.Length, (_, n) => n + body.Length);
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync(cancel);
        return new OtlpReceiver(app, received);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
