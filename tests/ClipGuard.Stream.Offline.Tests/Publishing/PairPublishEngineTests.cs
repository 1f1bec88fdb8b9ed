using ClipGuard.Stream.Kafka.Publishing;
using ClipGuard.Stream.Offline.Publishing;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;

namespace ClipGuard.Stream.Offline.Tests.Publishing;

/// <summary>The publish engine against a real dev broker: every good pair of either layout arrives exactly once as an
/// image-only envelope the service parses; broken pairs are counted per reason and never sent.</summary>
public sealed class PairPublishEngineTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new();
    private readonly PublishDataset _dataset = new(40);
    private DevBrokerProcess? _broker;

    private string Bootstrap => _broker!.BootstrapServers;

    public async ValueTask InitializeAsync() => _broker = await DevBrokerProcess.StartAsync(["--topics", "wds:3,files:3,limited:2"]);

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("tar", "wds")]
    [InlineData("files", "files")]
    public async Task Every_good_pair_arrives_once_and_broken_ones_are_counted_not_sent(string layout, string topic)
    {
        _dataset.Write(_temp.Sub(layout), layout);

        PairPublishReport report = await PairPublishEngine.RunAsync(
            new PairPublishSettings(_temp.Sub(layout)), Options(topic), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, report.Shards);
        Assert.Equal(_dataset.Good.Count, report.Published);
        Assert.Equal(0, report.Failed);
        Assert.Equal(
            new SortedDictionary<string, long> { ["image_corrupt"] = 1, ["message_too_large"] = 1, ["missing_caption"] = 1 },
            report.Skipped);
        List<ConsumeResult<byte[], byte[]>> consumed = TopicReader.ReadExactly(Bootstrap, topic, _dataset.Good.Count, ConsumeTimeout);
        _dataset.AssertReceived(consumed, _dataset.Good);
    }

    [Fact]
    public async Task A_limit_and_a_shard_part_publish_the_first_pairs_of_the_chosen_shards_only()
    {
        _dataset.Write(_temp.Sub("wds"), "tar");

        // Part 1/2 holds shard 00001 only (shard 00002, index 2, belongs to part 0); the limit stops inside it.
        PairPublishReport report = await PairPublishEngine.RunAsync(
            new PairPublishSettings(_temp.Sub("wds")) { Shard = new ShardSelection(1, 2), Limit = 5 }, Options("limited"),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Shards);
        Assert.Equal(5, report.Published);
        Assert.Empty(report.Skipped);
        var secondShard = _dataset.Good.Skip((_dataset.Good.Count + 1) / 2).Take(5).ToList();
        _dataset.AssertReceived(TopicReader.ReadExactly(Bootstrap, "limited", 5, ConsumeTimeout), secondShard);
    }

    [Fact]
    public async Task An_unreachable_broker_is_reported_as_unavailable_before_anything_is_read()
    {
        _dataset.Write(_temp.Sub("wds"), "tar");
        var options = new PublisherOptions { BootstrapServers = "127.0.0.1:1", Topic = "wds", ConnectTimeout = TimeSpan.FromSeconds(2) };

        await Assert.ThrowsAsync<BrokerUnavailableException>(() =>
            PairPublishEngine.RunAsync(new PairPublishSettings(_temp.Sub("wds")), options, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_input_is_bad_input()
    {
        var e = await Assert.ThrowsAsync<OfflineInputException>(() =>
            PairPublishEngine.RunAsync(new PairPublishSettings(_temp.Sub("absent")), Options("wds"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("no such file or folder", e.Message, StringComparison.Ordinal);
    }

    private PublisherOptions Options(string topic) =>
        new() { BootstrapServers = Bootstrap, Topic = topic, BatchFlush = 16, MaxMessageBytes = PublishDataset.MaxMessageBytes };
}
