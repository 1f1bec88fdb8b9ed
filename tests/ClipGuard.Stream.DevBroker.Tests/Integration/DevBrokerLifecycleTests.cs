using System.Net.Sockets;
using System.Text;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.DevBroker.Tests.Integration;

/// <summary>Starting and stopping the dev-broker process.</summary>
public sealed class DevBrokerLifecycleTests
{
    [Fact]
    public async Task Exits_cleanly_on_SIGTERM_and_stops_listening()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        (string host, int port) = FirstBroker(broker.BootstrapServers);
        Assert.True(Accepts(host, port), "the broker should accept connections while running");

        int exitCode = await broker.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("Dev broker stopped", broker.StandardError, StringComparison.Ordinal);
        Assert.False(Accepts(host, port), "the broker port should be closed after exit");
    }

    [Fact]
    public async Task Exits_when_its_standard_input_closes()
    {
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();

        int exitCode = await broker.CloseInputAsync();

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_fixed_port_is_advertised_and_carries_traffic_for_every_broker()
    {
        int port = FreePorts.FindConsecutive(2);
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync(["--brokers", "2", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--topics", "fixed:6"]);

        Assert.Equal($"127.0.0.1:{port},127.0.0.1:{port + 1}", broker.BootstrapServers);
        using (IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{port}" }).Build())
        {
            // The dev broker spreads the leaders round-robin (the mock alone picks them at random, and put all six on one
            // broker in about one run in thirty-two); ask again for a few seconds before judging, in case metadata lags.
            Metadata metadata = admin.GetMetadata("fixed", TimeSpan.FromSeconds(10));
            for (int attempt = 0; attempt < 50 && metadata.Topics.Single().Partitions.Select(p => p.Leader).Distinct().Count() < 2; attempt++)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
                metadata = admin.GetMetadata("fixed", TimeSpan.FromSeconds(10));
            }

            Assert.Equal([port, port + 1], metadata.Brokers.Select(b => b.Port).Order());
            Assert.Equal(2, metadata.Topics.Single().Partitions.Select(p => p.Leader).Distinct().Count());
            Assert.Equal([1, 2, 1, 2, 1, 2], metadata.Topics.Single().Partitions.OrderBy(p => p.PartitionId).Select(p => p.Leader));
        }

        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(
                   new ProducerConfig { BootstrapServers = $"127.0.0.1:{port}", EnableIdempotence = true }).Build())
        {
            for (int i = 0; i < 60; i++)
            {
                producer.Produce("fixed", new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = [(byte)i] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        List<ConsumeResult<byte[], byte[]>> consumed = TopicReader.ReadExactly($"127.0.0.1:{port + 1}", "fixed", 60, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (byte)i), consumed.Select(c => c.Message.Value.Single()).Order());
    }

    [Fact(Timeout = 60_000)]
    public async Task Refuses_invalid_options_with_exit_code_2()
    {
        CliResult result = await CliProcess.RunAsync(["dev-broker", "--brokers", "0", "--topics", "bad name:2"], TimeSpan.FromSeconds(30),
            TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Brokers", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("'bad name' is not a valid Kafka topic name", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StandardOutput);
    }

    private static (string Host, int Port) FirstBroker(string bootstrap)
    {
        string first = bootstrap.Split(',')[0];
        int colon = first.LastIndexOf(':');
        return (first[..colon], int.Parse(first[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool Accepts(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(host, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
