using System.Globalization;
using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Tests.Integration;

/// <summary>Publishes to and consumes from a dev broker running as a separate process.</summary>
public sealed class DevBrokerRoundTripTests(DevBrokerFixture fixture) : IClassFixture<DevBrokerFixture>, IDisposable
{
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(60);

    private readonly string _scratch = Directory.CreateTempSubdirectory("clipguard-kafka-tests-").FullName;

    [Fact]
    public void Topics_exist_with_the_partition_counts_asked_for()
    {
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build();
        Metadata metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Dictionary<string, int> partitions = metadata.Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);

        Assert.Equal(DevBrokerFixture.PairsPartitions, partitions[TopicNames.Pairs]);
        Assert.Equal(4, partitions[TopicNames.Clean]);
        Assert.Equal(4, partitions[TopicNames.Quarantine]);
        Assert.Equal(4, partitions[TopicNames.DeadLetter]);
        Assert.Equal(1, partitions[TopicNames.Reference]);
        Assert.Equal(DevBrokerFixture.HeaderTopicPartitions, partitions[DevBrokerFixture.HeaderTopic]);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_publish_verb_delivers_one_contract_envelope_per_row()
    {
        const int rows = 300;
        const int dim = 16;
        var random = new Random(3);
        float[] data = [.. Enumerable.Range(0, rows * dim).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        string[] ids = [.. Enumerable.Range(0, rows).Select(i => $"pair-{i:D4}-\u00e9")];
        string[] captions = [.. Enumerable.Range(0, rows).Select(i => $"a photo of thing {i}, \"quoted\"")];
        string[] sources = [.. Enumerable.Range(0, rows).Select(i => $"crawl-{i % 3}")];
        string npy = Path.Combine(_scratch, "e.npy");
        NpyTestFile.WriteFloat32(npy, rows, dim, data);
        await File.WriteAllLinesAsync(Path.Combine(_scratch, "ids.txt"), ids, TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(Path.Combine(_scratch, "captions.txt"), captions, TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(Path.Combine(_scratch, "sources.txt"), sources, TestContext.Current.CancellationToken);

        CliResult publish = await CliProcess.RunAsync(
            ["publish", "--embeddings", npy, "--ids", Path.Combine(_scratch, "ids.txt"), "--captions", Path.Combine(_scratch, "captions.txt"),
             "--sources", Path.Combine(_scratch, "sources.txt"), "--bootstrap", fixture.Broker.BootstrapServers, "--batch-flush", "64"],
            TimeSpan.FromSeconds(90),
            TestContext.Current.CancellationToken);

        Assert.True(publish.ExitCode == 0, publish.StandardError);
        Assert.Contains($"{rows} of {rows} messages acknowledged", publish.StandardError, StringComparison.Ordinal);
        List<ConsumeResult<byte[], byte[]>> consumed = TopicReader.ReadExactly(fixture.Broker.BootstrapServers, TopicNames.Pairs, rows, ConsumeTimeout);
        Assert.Equal(rows, consumed.Count);
        Assert.Equal(Enumerable.Range(0, DevBrokerFixture.PairsPartitions), consumed.Select(c => c.Partition.Value).Distinct().Order());
        var byKey = consumed.ToDictionary(c => Encoding.UTF8.GetString(c.Message.Key));
        for (int i = 0; i < rows; i++)
        {
            ConsumeResult<byte[], byte[]> message = byKey[ids[i]];
            float[] row = data.AsSpan(i * dim, dim).ToArray();
            byte[] expected = EnvelopeWriter.ToUtf8Bytes(new SampleEnvelope(ids[i], captions[i], row, null, source: sources[i]));
            Assert.Equal(expected, message.Message.Value);
            EnvelopeParseResult parsed = EnvelopeParser.Parse(message.Message.Key, message.Message.Value, dim, 1 << 20);
            Assert.True(parsed.IsValid, parsed.Rejection?.Message);
            Assert.Equal(row, parsed.Envelope.Embedding!);
        }
    }

    [Fact]
    public void Keys_values_and_headers_round_trip_byte_for_byte()
    {
        const int count = 200;
        var sent = new List<Message<byte[], byte[]>>();
        var producerConfig = new ProducerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        };
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(producerConfig).Build())
        {
            for (int i = 0; i < count; i++)
            {
                Message<byte[], byte[]> message = RoutedMessage(i);
                sent.Add(message);
                producer.Produce(DevBrokerFixture.HeaderTopic, message, report => Assert.False(report.Error.IsError, report.Error.Reason));
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        List<ConsumeResult<byte[], byte[]>> consumed =
            TopicReader.ReadExactly(fixture.Broker.BootstrapServers, DevBrokerFixture.HeaderTopic, count, ConsumeTimeout);

        Assert.Equal(count, consumed.Count);
        Assert.True(consumed.Select(c => c.Partition.Value).Distinct().Count() > 1, "keys should spread over partitions");
        var byKey = consumed.ToDictionary(c => Encoding.UTF8.GetString(c.Message.Key));
        foreach (Message<byte[], byte[]> expected in sent)
        {
            Message<byte[], byte[]> actual = byKey[Encoding.UTF8.GetString(expected.Key)].Message;
            Assert.Equal(expected.Value, actual.Value);
            Assert.Equal(
                expected.Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))),
                actual.Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task The_publish_verb_refuses_bad_input_with_exit_code_2()
    {
        string npy = Path.Combine(_scratch, "small.npy");
        NpyTestFile.WriteFloat32(npy, 3, 2, [1, 2, 3, 4, 5, 6]);
        string twoCaptions = Path.Combine(_scratch, "two.txt");
        await File.WriteAllLinesAsync(twoCaptions, ["a", "b"], TestContext.Current.CancellationToken);
        string bootstrap = fixture.Broker.BootstrapServers;

        CliResult missing = await CliProcess.RunAsync(
            ["publish", "--embeddings", Path.Combine(_scratch, "absent.npy"), "--bootstrap", bootstrap], TimeSpan.FromSeconds(60),
            TestContext.Current.CancellationToken);
        CliResult mismatch = await CliProcess.RunAsync(
            ["publish", "--embeddings", npy, "--captions", twoCaptions, "--bootstrap", bootstrap], TimeSpan.FromSeconds(60),
            TestContext.Current.CancellationToken);

        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("absent.npy", missing.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Single(mismatch.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("2 caption lines", mismatch.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A message shaped like a routed output: arbitrary value bytes (dead-letter copies need not be UTF-8)
    /// and every contract header, one of them binary.</summary>
    private static Message<byte[], byte[]> RoutedMessage(int i)
    {
        string n = i.ToString(CultureInfo.InvariantCulture);
        byte[] value = i % 10 == 0 ? [0xFF, 0x00, 0xC3, 0x28, (byte)i] : Encoding.UTF8.GetBytes($$"""{"id":"k{{n}}","caption":"c"}""");
        var headers = new Headers
        {
            { ClipGuardHeaders.Verdict, Encoding.UTF8.GetBytes(i % 10 == 0 ? VerdictValues.DeadLetter : VerdictValues.Clean) },
            { ClipGuardHeaders.Score, Encoding.UTF8.GetBytes((i * 0.013).ToString("R", CultureInfo.InvariantCulture)) },
            { ClipGuardHeaders.Detector, "lof"u8.ToArray() },
            { ClipGuardHeaders.K, "16"u8.ToArray() },
            { ClipGuardHeaders.ReferenceSize, "100000"u8.ToArray() },
            { ClipGuardHeaders.ReferenceVersion, "42"u8.ToArray() },
            { ClipGuardHeaders.ModelVersion, "vit-b-32@sha256:ab"u8.ToArray() },
            { ClipGuardHeaders.Threshold, "1.5"u8.ToArray() },
            { ClipGuardHeaders.Reason, i % 10 == 0 ? Encoding.UTF8.GetBytes(RejectionCodes.InvalidUtf8) : [] },
            { ClipGuardHeaders.SourceTopic, Encoding.UTF8.GetBytes(TopicNames.Pairs) },
            { ClipGuardHeaders.SourcePartition, Encoding.UTF8.GetBytes(n) },
            { ClipGuardHeaders.SourceOffset, Encoding.UTF8.GetBytes(n) },
            { ClipGuardHeaders.TraceParent, Encoding.UTF8.GetBytes($"00-{i:x32}-{i + 1:x16}-01") },
            { ClipGuardHeaders.TraceState, [0x00, 0x7F, 0x80, 0xFF] },
        };
        return new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"k{n}"), Value = value, Headers = headers };
    }
}
