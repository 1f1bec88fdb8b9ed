using System.Globalization;
using System.Text;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Cli.Sentinel;

/// <summary>
/// Why the campaign's samples were or were not recalled: each swap's judgement file (the service's
/// <c>KeepJudgements</c>) read against the planted truth. Per swap, the campaign's provisional samples the judgement
/// saw, how many were suspects, in a campaign, recalled; the misses split into suspects the campaign rule left out and
/// samples the new model did not find unusual; the clean samples' suspects for scale. Per poison, a CSV line.
/// </summary>
internal sealed record SentinelLabTrace(IReadOnlyList<SentinelLabTrace.SwapJudgement> Swaps, string Csv)
{
    /// <summary>One swap's judgement of the window against the truth.</summary>
    public sealed record SwapJudgement(
        int Version, int PoisonsJudged, int PoisonSuspects, int PoisonsInCampaign, int PoisonsRecalled, int MissedSuspects, int MissedOthers, double MissedMedianP,
        int CleanJudged, int CleanSuspects, int CleanRecalled);

    public static SentinelLabTrace From(List<CrawlSample> crawl, List<RoutedCopy> routed, IReadOnlyList<(int Version, IReadOnlyList<JudgementRecord> Judged)> swaps, double suspectLevel)
    {
        Dictionary<string, RoutedCopy> first = RoutedCopy.FirstById(routed);
        var poisoned = crawl.Where(c => c.Poisoned).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var result = new List<SwapJudgement>();
        var byVersion = swaps.Select(s => (s.Version, ById: s.Judged.GroupBy(j => j.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal))).ToList();
        foreach ((int version, Dictionary<string, JudgementRecord> byId) in byVersion)
        {
            var poisons = byId.Values.Where(j => poisoned.Contains(j.Id)).ToList();
            var clean = byId.Values.Where(j => !poisoned.Contains(j.Id)).ToList();
            var missed = poisons.Where(j => !j.Recalled).ToList();
            double[] missedP = [.. missed.Select(j => j.PValue ?? double.NaN).Where(p => !double.IsNaN(p)).Order()];
            result.Add(new SwapJudgement(
                version,
                poisons.Count,
                poisons.Count(j => j.PValue <= suspectLevel),
                poisons.Count(j => j.Campaign is not null),
                poisons.Count(j => j.Recalled),
                missed.Count(j => j.PValue <= suspectLevel),
                missed.Count(j => !(j.PValue <= suspectLevel)),
                missedP.Length == 0 ? double.NaN : missedP[missedP.Length / 2],
                clean.Count,
                clean.Count(j => j.PValue <= suspectLevel),
                clean.Count(j => j.Recalled)));
        }

        var c = CultureInfo.InvariantCulture;
        var csv = new StringBuilder();
        csv.Append("position,id,arrival_model,arrival_route,arrival_p,arrival_campaign");
        foreach ((int version, _) in byVersion)
        {
            csv.Append(c, $",v{version}_p,v{version}_recalled,v{version}_campaign");
        }

        csv.AppendLine();
        for (int i = 0; i < crawl.Count; i++)
        {
            if (!crawl[i].Poisoned || !first.TryGetValue(crawl[i].Id, out RoutedCopy? copy))
            {
                continue;
            }

            csv.Append(c, $"{i},{crawl[i].Id},{copy.Headers.GetValueOrDefault(ClipGuardHeaders.ModelVersion)},{copy.Topic},{copy.Headers.GetValueOrDefault(ClipGuardHeaders.PValue)},{copy.Headers.GetValueOrDefault(ClipGuardHeaders.Campaign)}");
            foreach ((_, Dictionary<string, JudgementRecord> byId) in byVersion)
            {
                csv.Append(byId.TryGetValue(crawl[i].Id, out JudgementRecord? j)
                    ? string.Create(c, $",{j.PValue:G4},{(j.Recalled ? 1 : 0)},{j.Campaign}")
                    : ",,,");
            }

            csv.AppendLine();
        }

        return new SentinelLabTrace(result, csv.ToString());
    }

    public string Markdown(double suspectLevel)
    {
        var c = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.AppendLine(c, $"## Why the campaign's samples were or were not recalled (each swap's judgement file; suspect: fused p ≤ {suspectLevel})");
        t.AppendLine();
        t.AppendLine("| sentinel | campaign samples judged | suspects | in a campaign | recalled | missed: suspects / not suspects (median p) | clean judged | clean suspects | clean recalled |");
        t.AppendLine("|---|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (SwapJudgement s in Swaps)
        {
            t.AppendLine(c, $"| v{s.Version} | {s.PoisonsJudged} | {s.PoisonSuspects} | {s.PoisonsInCampaign} | {s.PoisonsRecalled} | {s.MissedSuspects} / {s.MissedOthers} ({(double.IsNaN(s.MissedMedianP) ? "n/a" : s.MissedMedianP.ToString("G3", c))}) | {s.CleanJudged} | {s.CleanSuspects} | {s.CleanRecalled} |");
        }

        if (Swaps.Count == 0)
        {
            t.AppendLine("| (no judgement files) | | | | | | | | |");
        }

        t.AppendLine();
        t.AppendLine("Per campaign sample (arrival route and p-value, each swap's p-value, recall and campaign): `poisons.csv` beside this report.");
        return t.ToString();
    }
}
