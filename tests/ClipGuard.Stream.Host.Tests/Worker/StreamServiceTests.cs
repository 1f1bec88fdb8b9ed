using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>
/// The streaming issue's must-shows, end to end with real processes: the Kafka-protocol dev broker, redis-server,
/// `clipguard publish` as the crawler and `clipguard run` as the service.
/// </summary>
public sealed class StreamServiceTests : IDisposable
{
    private const int Dim = 64;
    private static readonly TimeSpan RouteTimeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TwentyThousandMessagesAreEachRoutedOnceAndPlantedOutliersQuarantined()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        int[] labels = await PublishAsync(broker, 20_000, seed: 11);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start(RunArgs(broker, redis));

        List<RoutedCopy> copies = outputs.WaitForDistinct(20_000, RouteTimeout, () => service.Output, () => service.HasExited);
        Assert.Equal(20_000, copies.Count);
        Assert.All(copies.GroupBy(c => c.Id), g => Assert.Single(g));
        Assert.DoesNotContain(copies, c => c.Topic == TopicNames.DeadLetter);
        (double recall, double precision) = Quality(copies, labels);
        Assert.True(recall >= 0.95 && precision >= 0.9, $"recall {recall:F3}, precision {precision:F3}");

        // The original bytes travel unchanged, under the same key, with the verdict in headers.
        var input = TopicReader.ReadExactly(broker.BootstrapServers, TopicNames.Pairs, 20_000, TimeSpan.FromMinutes(1))
            .ToDictionary(r => Encoding.UTF8.GetString(r.Message.Key), r => r.Message.Value);
        foreach (RoutedCopy c in copies)
        {
            Assert.Equal(input[c.Id], c.Value);
            Assert.Equal(c.Topic == TopicNames.Clean ? "clean" : "quarantine", c.Headers[ClipGuardHeaders.Verdict]);
            Assert.Equal("dao", c.Headers[ClipGuardHeaders.Detector]);
            Assert.Equal("16", c.Headers[ClipGuardHeaders.K]);
            Assert.True(double.Parse(c.Headers[ClipGuardHeaders.Threshold], CultureInfo.InvariantCulture) > 0);
            Assert.True(int.Parse(c.Headers[ClipGuardHeaders.ReferenceSize], CultureInfo.InvariantCulture) > 16);
            Assert.Equal(TopicNames.Pairs, c.Headers[ClipGuardHeaders.SourceTopic]);
            Assert.Contains(ClipGuardHeaders.ReferenceVersion, c.Headers.Keys);
            Assert.Contains(ClipGuardHeaders.ModelVersion, c.Headers.Keys);
        }

        // Every quarantined sample is in the Redis ledger.
        int quarantined = copies.Count(c => c.Topic == TopicNames.Quarantine);
        LedgerCounters counters = await LedgerCountersAsync(redis);
        Assert.Equal(quarantined, counters.Quarantined);
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task KilledThreeTimesMidStreamLosesNothing()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        const int n = 20_000;
        await PublishAsync(broker, n, seed: 12);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        var log = new StringBuilder();
        foreach (double fraction in new[] { 0.2, 0.45, 0.7 })
        {
            await using var victim = ServiceProcess.Start(RunArgs(broker, redis));
            WaitUntil(() => outputs.DistinctIds() >= fraction * n, RouteTimeout, () => victim.Output, () => victim.HasExited);
            victim.Kill();
            log.Append(victim.Output);
        }

        await using var survivor = ServiceProcess.Start(RunArgs(broker, redis));
        List<RoutedCopy> copies = outputs.WaitForDistinct(n, RouteTimeout, () => log + survivor.Output, () => survivor.HasExited);
        var ids = copies.Select(c => c.Id).ToHashSet();
        Assert.Equal(n, ids.Count);
        Assert.True(Enumerable.Range(0, n).All(i => ids.Contains(Id(i))));
        TestContext.Current.SendDiagnosticMessage($"SIGKILL x3: {copies.Count - n} duplicate copies, removed by id");
        Assert.Equal(0, await survivor.StopAsync());
    }

    [Fact]
    public async Task RedisStoppedForTenSecondsLosesNothing()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        const int n = 12_000;
        await PublishAsync(broker, n, seed: 13);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start(RunArgs(broker, redis));
        WaitUntil(() => outputs.DistinctIds() >= 4000, RouteTimeout, () => service.Output, () => service.HasExited);

        await redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(service.HasExited, service.Output);
        int duringOutage = outputs.DistinctIds();
        await redis.RestartAsync(TestContext.Current.CancellationToken);

        List<RoutedCopy> copies = outputs.WaitForDistinct(n, RouteTimeout, () => service.Output, () => service.HasExited);
        Assert.Equal(n, copies.Select(c => c.Id).Distinct().Count());
        Assert.Contains("ledger unavailable", service.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("reachable again", service.Output, StringComparison.Ordinal);
        Assert.True(duringOutage < n, "the outage should have paused routing before the end of the stream");
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task EveryBadInputIsDeadLetteredWithItsReason()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(300, Dim, 10, 0, 14);
        string embedding = string.Join(',', Enumerable.Repeat("0.5", Dim));
        var bad = new (string Key, string Value, string Code)[]
        {
            ("bad-json", "{\"id\": \"bad-json\", \"caption\": ", RejectionCodes.InvalidJson),
            ("no-id", $"{{\"caption\": \"c\", \"embedding\": [{embedding}]}}", RejectionCodes.MissingId),
            ("short", "{\"id\": \"short\", \"caption\": \"c\", \"embedding\": [1, 2, 3]}", RejectionCodes.WrongEmbeddingSize),
            ("inf", $"{{\"id\": \"inf\", \"caption\": \"c\", \"embedding\": [1e400{new string(',', 1)}{string.Join(',', Enumerable.Repeat("0.5", Dim - 1))}]}}", RejectionCodes.NonFiniteEmbedding),
            ("big", $"{{\"id\": \"big\", \"caption\": \"{new string('x', 1_200_000)}\", \"embedding\": [{embedding}]}}", RejectionCodes.MessageTooLarge),
            ("b64", "{\"id\": \"b64\", \"caption\": \"c\", \"image\": \"!!not base64!!\"}", RejectionCodes.CorruptImage),
        };
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageMaxBytes = 4_000_000 }).Build())
        {
            for (int i = 0; i < data.Rows; i++)
            {
                var envelope = new SampleEnvelope(Id(i), $"caption {i}", data.RowReadOnly(i).ToArray(), null);
                await producer.ProduceAsync(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(Id(i)), Value = EnvelopeWriter.ToUtf8Bytes(envelope) }, TestContext.Current.CancellationToken);
                if (i == 150)
                {
                    foreach ((string key, string value, _) in bad)
                    {
                        await producer.ProduceAsync(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) }, TestContext.Current.CancellationToken);
                    }
                }
            }
        }

        using var outputs = new OutputCollector(broker.BootstrapServers);
        await using var service = ServiceProcess.Start([.. RunArgs(broker, redis, bootstrapSize: 200), "--max-message-bytes", "1048576"]);
        List<RoutedCopy> copies = outputs.WaitForDistinct(data.Rows + bad.Length, RouteTimeout, () => service.Output, () => service.HasExited);
        foreach ((string key, string value, string code) in bad)
        {
            RoutedCopy copy = Assert.Single(copies, c => c.Id == key);
            Assert.Equal(TopicNames.DeadLetter, copy.Topic);
            Assert.StartsWith(code, copy.Headers[ClipGuardHeaders.Reason], StringComparison.Ordinal);
            Assert.Equal(Encoding.UTF8.GetBytes(value), copy.Value);
        }

        Assert.Equal(data.Rows, copies.Count(c => c.Topic != TopicNames.DeadLetter));
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task AgainstARealKafkaExactlyOnceSurvivesAKillWithReadCommittedConsumers()
    {
        string? bootstrap = Environment.GetEnvironmentVariable("CLIPGUARD_KAFKA_BOOTSTRAP");
        Assert.SkipWhen(string.IsNullOrEmpty(bootstrap),
            "CLIPGUARD_KAFKA_BOOTSTRAP is not set: exactly-once needs a real broker (the dev broker accepts transactions without enforcing them, docs/streaming.md)");
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(TestContext.Current.CancellationToken);
        string input = $"clipguard.pairs.{Guid.NewGuid():N}";
        const int n = 5000;
        await PublishAsync(bootstrap!, input, n, seed: 15);
        using var outputs = new OutputCollector(bootstrap!, IsolationLevel.ReadCommitted);
        string[] args = ["--bootstrap", bootstrap!, "--redis", redis.Configuration, "--input", input, "--group", $"g-{Guid.NewGuid():N}", "--delivery", "ExactlyOnce", "--dimension", Dim.ToString(CultureInfo.InvariantCulture), "--bootstrap-size", "1000"];
        await using (var victim = ServiceProcess.Start(args))
        {
            WaitUntil(() => outputs.DistinctIds() >= n / 3, RouteTimeout, () => victim.Output, () => victim.HasExited);
            victim.Kill();
        }

        await using var survivor = ServiceProcess.Start(args);
        List<RoutedCopy> copies = outputs.WaitForDistinct(n, RouteTimeout, () => survivor.Output, () => survivor.HasExited);
        Assert.All(copies.Where(c => c.Headers[ClipGuardHeaders.SourceTopic] == input).GroupBy(c => c.Id), g => Assert.Single(g));
        await survivor.StopAsync();
    }

    private static string Id(int i) => "s" + i.ToString(CultureInfo.InvariantCulture);

    // A 1 per mille budget: the planted outliers are scattered singletons (no campaign), and the default 0.1 per mille
    // budget needs 19,999 calibration scores, far more than a 2,000-sample bootstrap and 20,000 messages give.
    private static string[] RunArgs(DevBrokerProcess broker, RedisServerProcess redis, int bootstrapSize = 2000) =>
    [
        "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--dimension", Dim.ToString(CultureInfo.InvariantCulture),
        "--bootstrap-size", bootstrapSize.ToString(CultureInfo.InvariantCulture), "--hold-back", "200", "--capacity", "10000", "--max-source-share", "0.5",
        "--false-quarantine-rate", "0.001",
    ];

    private Task<int[]> PublishAsync(DevBrokerProcess broker, int n, int seed) => PublishAsync(broker.BootstrapServers, TopicNames.Pairs, n, seed);

    private async Task<int[]> PublishAsync(string bootstrap, string topic, int n, int seed)
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(n, Dim, 40, 0.02, seed);
        string x = Path.Combine(_dir, "x.npy"), ids = Path.Combine(_dir, "ids.txt"), sources = Path.Combine(_dir, "sources.txt");
        Npy.Write(x, data);
        await File.WriteAllLinesAsync(ids, Enumerable.Range(0, n).Select(Id), TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(sources, Enumerable.Range(0, n).Select(i => $"crawler-{i % 5}"), TestContext.Current.CancellationToken);
        CliResult r = await CliProcess.RunAsync(["publish", "--embeddings", x, "--ids", ids, "--sources", sources, "--bootstrap", bootstrap, "--topic", topic], TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(r.ExitCode == 0, r.StandardError);
        return labels;
    }

    private static (double Recall, double Precision) Quality(List<RoutedCopy> copies, int[] labels)
    {
        int tp = 0, fp = 0;
        foreach (RoutedCopy c in copies.Where(c => c.Topic == TopicNames.Quarantine))
        {
            int label = labels[int.Parse(c.Id.AsSpan(1), CultureInfo.InvariantCulture)];
            tp += label;
            fp += 1 - label;
        }

        return ((double)tp / labels.Sum(), (double)tp / Math.Max(1, tp + fp));
    }

    private static async Task<LedgerCounters> LedgerCountersAsync(RedisServerProcess redis)
    {
        await using ConnectionMultiplexer mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var ledger = new RedisQuarantineLedger(mux, Options.Create(new RedisOptions { Configuration = redis.Configuration }), TimeProvider.System, NullLogger<RedisQuarantineLedger>.Instance);
        return await ledger.CountersAsync(TestContext.Current.CancellationToken);
    }

    private static void WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> diagnostics, Func<bool> serviceExited)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (serviceExited())
            {
                throw new InvalidOperationException("clipguard run exited early\n" + diagnostics());
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time\n" + diagnostics());
            }

            Thread.Sleep(100);
        }
    }
}
