using System.Net.Http.Headers;
using ClipGuard.Stream.Host.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>The operator API on a real Kestrel listener (127.0.0.1, a port the kernel picks), called over real HTTP.</summary>
internal sealed class OperatorApiHost : IAsyncDisposable
{
    public const string Token = "s3cret-operator-token-0123456789";

    private readonly WebApplication _app;

    private OperatorApiHost(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Anonymous = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>Sends the right token.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no token unless a request adds one.</summary>
    public HttpClient Anonymous { get; }

    public static WebApplication Build(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddClipGuardOperatorApi();
        var app = builder.Build();
        app.MapOperatorApi();
        return app;
    }

    public static Dictionary<string, string?> Settings(string redis, string prefix, string bootstrap, string cleanTopic, string token = Token) => new()
    {
        ["ClipGuard:Api:Token"] = token,
        ["ClipGuard:Redis:Configuration"] = redis,
        ["ClipGuard:Redis:KeyPrefix"] = prefix,
        ["ClipGuard:Redis:OperationTimeout"] = "00:00:02",
        ["ClipGuard:Redis:ConnectTimeout"] = "00:00:02",
        ["ClipGuard:Kafka:BootstrapServers"] = bootstrap,
        ["ClipGuard:Kafka:CleanTopic"] = cleanTopic,
    };

    public static async Task<OperatorApiHost> StartAsync(IDictionary<string, string?> settings)
    {
        var app = Build(settings);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new OperatorApiHost(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
