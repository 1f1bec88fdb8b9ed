using System.Text;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Cli.Sentinel;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Cli.Tests.Sentinel;

/// <summary>
/// The sentinel lab's counts against a planted truth: ten samples, two swaps. The lab runs every round's re-judgement
/// and also counts what Rejudge = Once recalls: a swap's recall counts under Once only when the sample was routed by
/// the model that swap replaced.
/// </summary>
public sealed class SentinelLabReportTests
{
    [Fact]
    public void EveryRoundAndOnceAreCountedFromTheSameRecalls()
    {
        // s3, s4, s5, s8 are poisons; s4 was quarantined on arrival; s0–s5 routed under m0, s6–s9 under m1.
        var poisoned = new HashSet<int> { 3, 4, 5, 8 };
        var crawl = Enumerable.Range(0, 10).Select(i => new CrawlSample($"s{i}", "caption", "site", [], poisoned.Contains(i))).ToList();
        var routed = crawl.Select((c, i) => new RoutedCopy(
            i == 4 ? TopicNames.Quarantine : TopicNames.Clean, c.Id, [],
            new Dictionary<string, string> { [ClipGuardHeaders.ModelVersion] = i < 6 ? "m0" : "m1" })).ToList();
        List<SwapPoint> swaps = [new(1, 1, "m1", 6, 6, 1, 1, 0, "ASR") { Judged = 5, Evidence = 1 }, new(2, 2, "m2", 10, 10, 1, 1, 0, "ASR") { Judged = 6, Evidence = 3 }];
        // v1 (replacing m0) recalls s3 and the clean s1; v2 (replacing m1) recalls s8 and the clean s7, which Once
        // judges too, and s5 and the clean s2, routed under m0, which only EveryRound judges again.
        // v1's recalls named campaign c-1; v2's s5 and s2 named c-1 too, s8 named c-2, s7 none.
        List<RoutedCopy> recalls = [Recall("s3", 1, "m0", "c-1"), Recall("s1", 1, "m0", "c-1"), Recall("s5", 2, "m0", "c-1"), Recall("s8", 2, "m1", "c-2"), Recall("s2", 2, "m0", "c-1"), Recall("s7", 2, "m1", null)];

        SentinelLabReport report = SentinelLabReport.From(crawl, routed, recalls, swaps, "m0", new SentinelLabSettings("out", "data"));

        Assert.Equal(4, report.Poisons);
        Assert.Equal(6, report.Clean);
        SentinelLabReport.AfterSwap first = report.Swaps[0], second = report.Swaps[1];
        Assert.Equal((1, 1, 1, 1), (first.RecalledPoisons, first.RecalledClean, first.OnceRecalledPoisons, first.OnceRecalledClean));
        Assert.Equal((3, 2, 2, 3, 1, 1), (first.PoisonsSoFar, first.CoveredSoFar, first.OnceCoveredSoFar, first.CleanSoFar, first.FalseRecallsSoFar, first.OnceFalseRecallsSoFar));
        Assert.Equal((2, 2, 1, 1), (second.RecalledPoisons, second.RecalledClean, second.OnceRecalledPoisons, second.OnceRecalledClean));
        Assert.Equal((4, 4, 3, 6, 3, 2), (second.PoisonsSoFar, second.CoveredSoFar, second.OnceCoveredSoFar, second.CleanSoFar, second.FalseRecallsSoFar, second.OnceFalseRecallsSoFar));
        Assert.Equal(1.0, report.FinalCoverage);
        Assert.Equal(0.75, report.OnceCoverage);
        Assert.Equal(3 / 6.0, report.FinalFalseRecallRate);
        Assert.Equal(2 / 6.0, report.OnceFalseRecallRate);
        Assert.Equal(0, report.FinalCleanQuarantineRate);
        string md = report.Markdown();
        Assert.Contains("Once (the default; estimated from this run): campaign quarantined on arrival or recalled **0.750**; false recalls **333.33 ‰**", md, StringComparison.Ordinal);

        // Run as Once, the report states it, and its coverage is the run's own.
        string once = SentinelLabReport.From(crawl, routed, recalls, swaps, "m0", new SentinelLabSettings("out", "data") { Rejudge = ClipGuard.Stream.Host.Settings.RejudgePolicy.Once }).Markdown();
        Assert.EndsWith("; swaps judge as Once (the service's default)", once.Split('\n')[0].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.Contains("- Once (as run, the default): campaign (4 samples) quarantined on arrival or recalled **1.000**", once, StringComparison.Ordinal);
        Assert.DoesNotContain("Every round (as run)", once, StringComparison.Ordinal);
        Assert.Contains("| 2 | v2 | 1 / 1 | 3 of 4 (0.750) | 2 of 6 (333.33 ‰) |", md, StringComparison.Ordinal);
        // Each swap's judged clean samples and the quarantined ones it took along as evidence.
        Assert.Contains("| 1 | v1 | 6 | 6 | 1 | 1 | 5 + 1 | 1 / 1 |", md, StringComparison.Ordinal);
        Assert.Contains("| 2 | v2 | 10 | 10 | 1 | 1 | 6 + 3 | 2 / 2 |", md, StringComparison.Ordinal);

        // Recalls grouped by the campaign id they carried: the largest named group first, unnamed recalls last.
        Assert.Equal(
            [new SentinelLabReport.CampaignRecalls("c-1", "v1, v2", 2, 2), new SentinelLabReport.CampaignRecalls("c-2", "v2", 1, 0), new SentinelLabReport.CampaignRecalls(null, "v2", 0, 1)],
            report.ByCampaign);
        Assert.Contains("| `c-1` | v1, v2 | 2 | 2 |", md, StringComparison.Ordinal);
        Assert.Contains("| (none named) | v2 | 0 | 1 |", md, StringComparison.Ordinal);

        // Which training set the sentinels had is in the report's title line.
        Assert.DoesNotContain("train on the trusted seed", md.Split('\n')[0], StringComparison.Ordinal);
        string seeded = SentinelLabReport.From(crawl, routed, recalls, swaps, "m0", new SentinelLabSettings("out", "data") { TrainOnSeed = true }).Markdown();
        Assert.EndsWith("seed 1; sentinels train on the trusted seed too; trusted seed 2048 (share sentinels train on and judge the window against: 0.5)", seeded.Split('\n')[0].TrimEnd('\r'), StringComparison.Ordinal);

        // So are the trusted seed's size and the service's calibration settings the run changed.
        string confident = SentinelLabReport.From(crawl, routed, recalls, swaps, "m0", new SentinelLabSettings("out", "data") { SeedSize = 16384, BudgetConfidence = 0.9, CalibrationPool = 20000 }).Markdown();
        Assert.EndsWith("seed 1; trusted seed 16384 (share sentinels train on and judge the window against: 0.5), budget held with confidence 0.9, calibration pool 20000", confident.Split('\n')[0].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.Equal("--budget-confidence must be in (0, 1) and --calibration-pool at least 1", new SentinelLabSettings("out", "data") { BudgetConfidence = 1 }.Error());
        Assert.Null(new SentinelLabSettings("out", "data") { BudgetConfidence = 0.9, CalibrationPool = 20000 }.Error());
    }

    [Fact]
    public void AStreamRevocationCountsUnderBothPoliciesAndMayBeTheFirstRecall()
    {
        // s3 and s8 are poisons routed clean under m0 and m1; a campaign confirmed by the stream revokes s3 (sentinel
        // version 0, before any swap's recall), v2 recalls s8. Once counts the revocation like every round does.
        var crawl = Enumerable.Range(0, 10).Select(i => new CrawlSample($"s{i}", "caption", "site", [], i is 3 or 8)).ToList();
        var routed = crawl.Select((c, i) => new RoutedCopy(TopicNames.Clean, c.Id, [], new Dictionary<string, string> { [ClipGuardHeaders.ModelVersion] = i < 6 ? "m0" : "m1" }) { ReceivedTimestamp = 100 * (i + 1) }).ToList();
        List<SwapPoint> swaps = [new(1, 1, "m1", 6, 6, 1, 1, 0, "ASR"), new(2, 2, "m2", 10, 10, 1, 1, 0, "ASR")];
        List<RoutedCopy> recalls = [Recall("s3", 0, "m0", "c-0") with { ReceivedTimestamp = 550 }, Recall("s8", 2, "m1", null) with { ReceivedTimestamp = 1200 }];

        SentinelLabReport report = SentinelLabReport.From(crawl, routed, recalls, swaps, "m0", new SentinelLabSettings("out", "data"));

        Assert.Equal(1.0, report.FinalCoverage);
        Assert.Equal(1.0, report.OnceCoverage);
        Assert.Equal((0, 0, 1, 1), (report.Swaps[0].RecalledPoisons, report.Swaps[0].OnceRecalledPoisons, report.Swaps[0].CoveredSoFar, report.Swaps[0].OnceCoveredSoFar));
        // The first recall is the revocation, after five samples were routed: two samples after the first poison (s3).
        Assert.Equal(2, report.SamplesToFirstRecall);
    }

    private static RoutedCopy Recall(string id, int version, string from, string? campaign) => new(
        TopicNames.Recalls, id,
        Encoding.UTF8.GetBytes($"{{\"sample_id\":\"{id}\",\"sentinel_version\":{version},\"recalled_from\":\"{from}\",\"campaign\":{(campaign is null ? "null" : $"\"{campaign}\"")}}}"),
        new Dictionary<string, string>());
}
