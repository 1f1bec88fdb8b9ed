using System.Globalization;
using ClipGuard.Stream.Host.Api;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Tests.Api;

/// <summary>The list filters the ledger has no index for, scanned page by page up to a bound.</summary>
public sealed class QuarantineFilterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_search_stops_after_the_scan_limit_and_says_so()
    {
        // The only match is older than the newest ScanLimit records, so a bounded scan cannot reach it.
        int n = QuarantineFilter.ScanLimit + 10;
        var ledger = new InMemoryQuarantineLedger();
        await ledger.RecordAsync([.. Enumerable.Range(0, n).Select(i => Record(i, i == 0 ? "the needle" : "hay"))], Ct);

        var (items, limited) = await new QuarantineFilter(null, null, "needle").ScanAsync(ledger, QuarantineStatus.Quarantined, null, 0, 10, Ct);
        Assert.Empty(items);
        Assert.True(limited);

        // A match within reach is found across page boundaries, and a full page is not "limited".
        var (found, notLimited) = await new QuarantineFilter(null, null, "hay").ScanAsync(
            ledger, QuarantineStatus.Quarantined, null, RedisQuarantineLedger.MaxPageSize - 2, 5, Ct);
        Assert.Equal(5, found.Count);
        Assert.False(notLimited);
        Assert.Equal(Id(n - 1 - (RedisQuarantineLedger.MaxPageSize - 2)), found[0].Id);
    }

    [Theory]
    [InlineData(1.0, 2.0, null, true)]
    [InlineData(1.5, 1.5, null, true)]
    [InlineData(1.6, null, null, false)]
    [InlineData(null, 1.4, null, false)]
    [InlineData(null, null, "GOLDEN", true)]
    [InlineData(null, null, "crawl-7", true)]
    [InlineData(null, null, "r-000003", true)]
    [InlineData(null, null, "beagle", false)]
    public void Bounds_are_inclusive_and_text_matches_id_caption_or_source_ignoring_case(double? min, double? max, string? text, bool expected) =>
        Assert.Equal(expected, new QuarantineFilter(min, max, text).Matches(Record(3, "a golden retriever") with { Score = 1.5, Source = "crawl-7" }));

    [Theory]
    [InlineData(double.NaN, null)]
    [InlineData(null, double.PositiveInfinity)]
    [InlineData(2.0, 1.0)]
    public void Unusable_bounds_are_reported(double? min, double? max) => Assert.NotNull(new QuarantineFilter(min, max, null).Error());

    private static string Id(int i) => "r-" + i.ToString("D6", CultureInfo.InvariantCulture);

    private static QuarantineRecord Record(int i, string caption) => new()
    {
        Id = Id(i),
        Score = 2,
        Detector = "dao",
        K = 16,
        ReferenceSize = 100,
        ReferenceVersion = 1,
        ModelVersion = "external",
        Threshold = 1,
        SourceTopic = "clipguard.pairs",
        SourcePartition = 0,
        SourceOffset = i,
        Value = [(byte)'{', (byte)'}'],
        QuarantinedAt = T0.AddSeconds(i),
        Caption = caption,
    };
}
