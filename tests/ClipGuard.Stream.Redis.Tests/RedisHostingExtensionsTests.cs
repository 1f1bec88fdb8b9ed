using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis.Tests;

public sealed class RedisHostingExtensionsTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_host_gets_one_shared_connection_and_a_working_ledger_from_configuration()
    {
        using var host = Build(new() { ["ClipGuard:Redis:Configuration"] = redis.Server.Configuration, ["ClipGuard:Redis:KeyPrefix"] = "host:" });
        await host.StartAsync(Ct);

        var ledger = host.Services.GetRequiredService<IQuarantineLedger>();
        Assert.Same(ledger, host.Services.GetRequiredService<IQuarantineLedger>());
        Assert.IsType<RedisQuarantineLedger>(ledger);
        Assert.Same(host.Services.GetRequiredService<IConnectionMultiplexer>(), host.Services.GetRequiredService<IConnectionMultiplexer>());
        await ledger.RecordAsync([Samples.Record("hosted")], Ct);
        Assert.True(await redis.Connections[0].GetDatabase().KeyExistsAsync("host:q:hosted"));
        await host.StopAsync(Ct);
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        using var host = Build([]);

        var options = host.Services.GetRequiredService<IOptions<RedisOptions>>().Value;

        Assert.Equal(("127.0.0.1:6379,abortConnect=false", "clipguard:"), (options.Configuration, options.KeyPrefix));
        Assert.Equal(RedisOptions.DefaultReleaseClaimTimeout, options.ReleaseClaimTimeout);
    }

    [Theory]
    [InlineData("KeyPrefix", "", "KeyPrefix")]
    [InlineData("OperationTimeout", "00:00:00.001", "OperationTimeout")]
    [InlineData("ConnectTimeout", "00:10:00", "ConnectTimeout")]
    [InlineData("ReleaseClaimTimeout", "00:00:00.5", "ReleaseClaimTimeout")]
    [InlineData("AuditStreamMaxLength", "10", "AuditStreamMaxLength")]
    [InlineData("Configuration", "127.0.0.1:6379,noSuchKeyword=1", "Configuration")]
    public async Task Invalid_options_stop_the_host_at_start_naming_the_setting(string key, string value, string named)
    {
        using var host = Build(new() { ["ClipGuard:Redis:" + key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        // Qualified: with the Host project in the reference graph (via the CLI), `Host` names the ClipGuard.Stream.Host namespace here.
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.AddClipGuardRedis();
        return builder.Build();
    }
}
