using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Cli.Sentinel;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Cli.Tests.Sentinel;

/// <summary>The sentinel lab's account of the misses: each swap's judgement file against the planted truth.</summary>
public sealed class SentinelLabTraceTests
{
    [Fact]
    public void EachSwapsMissesAreSplitIntoSuspectsTheCampaignLeftOutAndSamplesTheModelFoundUsual()
    {
        // s1–s5 are poisons; s1 was quarantined on arrival (never judged). v1 judged s2–s5 and five clean samples.
        var poisoned = new HashSet<int> { 1, 2, 3, 4, 5 };
        var crawl = Enumerable.Range(0, 10).Select(i => new CrawlSample($"s{i}", "caption", "site", [], poisoned.Contains(i))).ToList();
        var routed = crawl.Select((c, i) => new RoutedCopy(
            i == 1 ? TopicNames.Quarantine : TopicNames.Clean, c.Id, [],
            new Dictionary<string, string> { [ClipGuardHeaders.ModelVersion] = "m0", [ClipGuardHeaders.PValue] = i == 1 ? "0.0001" : "0.5" })).ToList();
        JudgementRecord J(string id, double p, bool recalled, string? campaign = null) => new(id, "m0", 1.0, p, recalled, campaign);
        List<JudgementRecord> v1 =
        [
            J("s2", 0.001, true, "c-1"), J("s3", 0.002, true, "c-1"),
            J("s4", 0.03, false),                   // a suspect the campaign left out
            J("s5", 0.4, false),                    // the new model found it usual
            J("s0", 0.02, false), J("s6", 0.5, false), J("s7", 0.9, false), J("s8", 0.00001, true), J("s9", 0.7, false),
        ];

        SentinelLabTrace trace = SentinelLabTrace.From(crawl, routed, [(1, v1), (2, [])], suspectLevel: 0.05);

        SentinelLabTrace.SwapJudgement one = trace.Swaps[0];
        Assert.Equal((1, 4, 3, 2, 2), (one.Version, one.PoisonsJudged, one.PoisonSuspects, one.PoisonsInCampaign, one.PoisonsRecalled));
        Assert.Equal((1, 1), (one.MissedSuspects, one.MissedOthers));
        Assert.Equal(0.4, one.MissedMedianP);
        Assert.Equal((5, 2, 1), (one.CleanJudged, one.CleanSuspects, one.CleanRecalled));
        Assert.Equal(0, trace.Swaps[1].PoisonsJudged);
        Assert.True(double.IsNaN(trace.Swaps[1].MissedMedianP));

        string[] csv = trace.Csv.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("position,id,arrival_model,arrival_route,arrival_p,arrival_campaign,v1_p,v1_recalled,v1_campaign,v2_p,v2_recalled,v2_campaign", csv[0]);
        Assert.Equal(6, csv.Length);
        Assert.Equal($"1,s1,m0,{TopicNames.Quarantine},0.0001,,,,,,,", csv[1]);
        Assert.Equal($"2,s2,m0,{TopicNames.Clean},0.5,,0.001,1,c-1,,,", csv[2]);
        Assert.Equal($"5,s5,m0,{TopicNames.Clean},0.5,,0.4,0,,,,", csv[5]);
        string md = trace.Markdown(0.05);
        Assert.Contains("| v1 | 4 | 3 | 2 | 2 | 1 / 1 (0.4) | 5 | 2 | 1 |", md, StringComparison.Ordinal);
        Assert.Contains("| v2 | 0 | 0 | 0 | 0 | 0 / 0 (n/a) | 0 | 0 | 0 |", md, StringComparison.Ordinal);
    }
}
