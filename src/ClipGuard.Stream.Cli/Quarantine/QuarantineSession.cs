using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>
/// The ledger and releaser for one CLI call, wired exactly as the service wires them
/// (<see cref="OperatorHostingExtensions.AddClipGuardOperator"/>), so the CLI and the API cannot drift apart.
/// </summary>
internal sealed class QuarantineSession : IDisposable
{
    private readonly IHost _host;

    public QuarantineSession(QuarantineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // No defaults: the default configuration sources and console logger would read the environment and write to stdout.
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{RedisOptions.SectionName}:{nameof(RedisOptions.Configuration)}"] = settings.Redis,
            [$"{RedisOptions.SectionName}:{nameof(RedisOptions.KeyPrefix)}"] = settings.KeyPrefix,
            [$"{KafkaStreamOptions.Section}:{nameof(KafkaStreamOptions.BootstrapServers)}"] = settings.Bootstrap ?? string.Empty,
            [$"{KafkaStreamOptions.Section}:{nameof(KafkaStreamOptions.CleanTopic)}"] = settings.CleanTopic,
        });
        CliLogging.Configure(builder.Logging, LogLevel.Warning);
        builder.AddClipGuardOperator();
        _host = builder.Build();
    }

    /// <summary>Connects on first use; throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> on bad settings.</summary>
    public IQuarantineLedger Ledger => _host.Services.GetRequiredService<IQuarantineLedger>();

    public QuarantineReleaser Releaser => _host.Services.GetRequiredService<QuarantineReleaser>();

    public void Dispose() => _host.Dispose();
}
