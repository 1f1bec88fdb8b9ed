using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Offline.Tests.Publishing;

/// <summary><c>clipguard publish --input</c> as users run it: a real child process, its exit codes and its summary line.</summary>
public sealed class PublishCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Publish_input_sends_the_pairs_and_prints_one_summary_with_the_skips()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataset = new PublishDataset(20);
        dataset.Write(_temp.Sub("wds"), "tar");
        await using var broker = await DevBrokerProcess.StartAsync(["--topics", "clipguard.pairs:2"]);

        CliResult result = await CliProcess.RunAsync(
            ["publish", "--input", _temp.Sub("wds"), "--bootstrap", broker.BootstrapServers, "--max-message-bytes", PublishDataset.MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Timeout, ct);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Matches(
            @"publish: 22 pairs acknowledged on clipguard\.pairs from 3 shards in [0-9.]+ s \([0-9]+ pairs/s\); skipped: image_corrupt 1, message_too_large 1, missing_caption 1",
            result.StandardError);
        dataset.AssertReceived(TopicReader.ReadExactly(broker.BootstrapServers, "clipguard.pairs", dataset.Good.Count, Timeout), dataset.Good);
    }

    [Theory]
    [InlineData("neither")]
    [InlineData("both")]
    [InlineData("missing")]
    [InlineData("embeddings-only option")]
    public async Task Bad_command_lines_exit_2_with_one_line(string mistake)
    {
        string[] args = mistake switch
        {
            "neither" => ["publish", "--bootstrap", "127.0.0.1:1"],
            "both" => ["publish", "--input", _temp.Path, "--embeddings", _temp.Sub("x.npy"), "--bootstrap", "127.0.0.1:1"],
            "missing" => ["publish", "--input", _temp.Sub("absent"), "--bootstrap", "127.0.0.1:1"],
            _ => ["publish", "--input", _temp.Path, "--captions", _temp.Sub("c.txt"), "--bootstrap", "127.0.0.1:1"],
        };

        CliResult result = await CliProcess.RunAsync(args, Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(mistake == "missing" ? "no such file or folder" : "publish", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_exits_4()
    {
        new PublishDataset(4).Write(_temp.Sub("wds"), "tar");

        CliResult result = await CliProcess.RunAsync(
            ["publish", "--input", _temp.Sub("wds"), "--bootstrap", "127.0.0.1:1"], Timeout, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 4, result.StandardError);
        Assert.Contains("broker unavailable", result.StandardError, StringComparison.Ordinal);
    }
}
