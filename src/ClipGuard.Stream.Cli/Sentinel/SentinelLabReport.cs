using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Cli.Sentinel;

/// <summary>What the sentinel lab measured: per model phase and per swap, against the planted ground truth.</summary>
internal sealed record SentinelLabReport(
    SentinelLabSettings Settings,
    int Poisons,
    int Clean,
    int FirstPoison,
    IReadOnlyList<SentinelLabReport.Phase> Phases,
    IReadOnlyList<SentinelLabReport.AfterSwap> Swaps,
    double FinalCoverage,
    double FinalFalseRecallRate,
    double FinalCleanQuarantineRate,
    double? SecondsToFirstRecall,
    int? SamplesToFirstRecall,
    double OnceCoverage,
    double OnceFalseRecallRate,
    IReadOnlyList<SentinelLabReport.CampaignRecalls> ByCampaign)
{
    /// <summary>The recalls that named one campaign id (null: none), by the sentinel versions that made them, against the planted truth.</summary>
    public sealed record CampaignRecalls(string? Campaign, string Versions, int Poisons, int Clean);

    /// <summary>Samples routed under one model: the campaign's and the clean ones, and how many of each were quarantined on arrival.</summary>
    public sealed record Phase(string Name, string Model, int Poisons, int PoisonsQuarantined, int Clean, int CleanQuarantined)
    {
        public double Recall => Poisons == 0 ? double.NaN : (double)PoisonsQuarantined / Poisons;

        public double Precision => PoisonsQuarantined + CleanQuarantined == 0 ? double.NaN : (double)PoisonsQuarantined / (PoisonsQuarantined + CleanQuarantined);

        public double CleanQuarantineRate => Clean == 0 ? double.NaN : (double)CleanQuarantined / Clean;
    }

    /// <summary>
    /// The state once round <see cref="SwapPoint.Round"/> was swapped in: its recalls, and of everything routed so far, the
    /// campaign's samples quarantined on arrival or recalled (coverage) and the clean samples recalled.
    /// </summary>
    /// <remarks>The <c>Once</c> counts are the same swaps' recalls limited to samples routed under the model each swap
    /// replaced: what <c>ClipGuard:Sentinel:Rejudge = Once</c> recalls by the budget rule (a swap's budget judgement of a
    /// sample does not depend on which other samples it judges, so the lab runs <c>EveryRound</c> and counts both). With
    /// campaigns it is an estimate: a campaign is confirmed by the samples judged together, and under <c>Once</c> a swap
    /// judges fewer of them.</remarks>
    public sealed record AfterSwap(SwapPoint Swap, int RecalledPoisons, int RecalledClean, int PoisonsSoFar, int CoveredSoFar, int CleanSoFar, int FalseRecallsSoFar,
        int OnceRecalledPoisons, int OnceRecalledClean, int OnceCoveredSoFar, int OnceFalseRecallsSoFar)
    {
        public double OnceCoverage => PoisonsSoFar == 0 ? double.NaN : (double)OnceCoveredSoFar / PoisonsSoFar;

        public double OnceFalseRecallRate => CleanSoFar == 0 ? double.NaN : (double)OnceFalseRecallsSoFar / CleanSoFar;

        public double Coverage => PoisonsSoFar == 0 ? double.NaN : (double)CoveredSoFar / PoisonsSoFar;

        public double FalseRecallRate => CleanSoFar == 0 ? double.NaN : (double)FalseRecallsSoFar / CleanSoFar;

        public double RecallPrecision => RecalledPoisons + RecalledClean == 0 ? double.NaN : (double)RecalledPoisons / (RecalledPoisons + RecalledClean);
    }

    public static SentinelLabReport From(
        List<CrawlSample> crawl, List<RoutedCopy> routed, List<RoutedCopy> recalls, List<SwapPoint> swaps, string initialModel, SentinelLabSettings settings)
    {
        Dictionary<string, RoutedCopy> first = RoutedCopy.FirstById(routed);
        var recallVersion = new Dictionary<string, (int Version, long At, string From)>(StringComparer.Ordinal);
        var recallCampaign = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (RoutedCopy r in recalls)
        {
            JsonElement body = JsonDocument.Parse(r.Value).RootElement;
            recallVersion.TryAdd(r.Id, (body.GetProperty("sentinel_version").GetInt32(), r.ReceivedTimestamp, body.GetProperty("recalled_from").GetString() ?? ""));
            recallCampaign.TryAdd(r.Id, body.TryGetProperty("campaign", out JsonElement campaign) && campaign.ValueKind == JsonValueKind.String ? campaign.GetString() : null);
        }

        var poisonedIds = crawl.Where(c => c.Poisoned).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var byCampaign = recallCampaign
            .GroupBy(x => x.Value, StringComparer.Ordinal)
            .Select(g => new CampaignRecalls(
                g.Key,
                string.Join(", ", g.Select(x => recallVersion[x.Key].Version).Distinct().Order().Select(v => string.Create(CultureInfo.InvariantCulture, $"v{v}"))),
                g.Count(x => poisonedIds.Contains(x.Key)),
                g.Count(x => !poisonedIds.Contains(x.Key))))
            .OrderBy(x => x.Campaign is null)
            .ThenByDescending(x => x.Poisons + x.Clean)
            .ThenBy(x => x.Campaign, StringComparer.Ordinal)
            .ToList();

        // The model each sentinel version replaced: under Rejudge = Once its swap judges only what that model routed.
        var replaced = swaps.Select((s, i) => (s.Version, Model: i == 0 ? initialModel : swaps[i - 1].Model)).ToDictionary(x => x.Version, x => x.Model);
        // A campaign's revocation by the stream (sentinel version 0) does not depend on the policy: it counts under
        // Once as under every round (so far at every swap, as the every-round count has it), never as a swap's own.
        bool RecalledOnce(CrawlSample c, int upTo, bool exactly) =>
            recallVersion.TryGetValue(c.Id, out var r) && (r.Version == 0
                ? !exactly
                : (exactly ? r.Version == upTo : r.Version <= upTo) && replaced.TryGetValue(r.Version, out string? m) && m == r.From);

        bool Routed(CrawlSample c, out RoutedCopy copy) => first.TryGetValue(c.Id, out copy!) && copy.Topic != TopicNames.DeadLetter;
        bool Quarantined(CrawlSample c) => first[c.Id].Topic == TopicNames.Quarantine;

        var phases = new List<Phase>();
        var names = new List<(string Name, string Model)> { ("starting model (clean data only)", initialModel) };
        names.AddRange(swaps.Select(s => ($"sentinel v{s.Version}", s.Model)));
        foreach ((string name, string model) in names)
        {
            var under = crawl.Where(c => Routed(c, out RoutedCopy copy) && copy.Headers[ClipGuardHeaders.ModelVersion] == model).ToList();
            phases.Add(new Phase(name, model, under.Count(c => c.Poisoned), under.Count(c => c.Poisoned && Quarantined(c)),
                under.Count(c => !c.Poisoned), under.Count(c => !c.Poisoned && Quarantined(c))));
        }

        var after = new List<AfterSwap>();
        foreach (SwapPoint swap in swaps)
        {
            var soFar = crawl.Take(swap.StreamPosition).Where(c => Routed(c, out _)).ToList();
            bool RecalledBy(CrawlSample c) => recallVersion.TryGetValue(c.Id, out var r) && r.Version <= swap.Version;
            after.Add(new AfterSwap(
                swap,
                crawl.Count(c => c.Poisoned && recallVersion.TryGetValue(c.Id, out var r) && r.Version == swap.Version),
                crawl.Count(c => !c.Poisoned && recallVersion.TryGetValue(c.Id, out var r) && r.Version == swap.Version),
                soFar.Count(c => c.Poisoned),
                soFar.Count(c => c.Poisoned && (Quarantined(c) || RecalledBy(c))),
                soFar.Count(c => !c.Poisoned),
                soFar.Count(c => !c.Poisoned && RecalledBy(c)),
                crawl.Count(c => c.Poisoned && RecalledOnce(c, swap.Version, exactly: true)),
                crawl.Count(c => !c.Poisoned && RecalledOnce(c, swap.Version, exactly: true)),
                soFar.Count(c => c.Poisoned && (Quarantined(c) || RecalledOnce(c, swap.Version, exactly: false))),
                soFar.Count(c => !c.Poisoned && RecalledOnce(c, swap.Version, exactly: false))));
        }

        var all = crawl.Where(c => Routed(c, out _)).ToList();
        int poisons = all.Count(c => c.Poisoned), clean = all.Count - poisons;
        int firstPoison = crawl.FindIndex(c => c.Poisoned);
        var poisonRecalls = crawl.Where(c => c.Poisoned && recallVersion.ContainsKey(c.Id)).Select(c => recallVersion[c.Id]).ToList();
        double? seconds = null;
        int? samples = null;
        if (poisonRecalls.Count > 0 && firstPoison >= 0 && first.TryGetValue(crawl[firstPoison].Id, out RoutedCopy? firstCopy))
        {
            (int version, long at, _) = poisonRecalls.MinBy(r => r.At);
            seconds = Stopwatch.GetElapsedTime(firstCopy.ReceivedTimestamp, at).TotalSeconds;
            // A swap's recall comes at the swap's stream position; a stream revocation (version 0) once the samples
            // routed before it.
            samples = (swaps.FirstOrDefault(s => s.Version == version)?.StreamPosition ?? first.Values.Count(x => x.ReceivedTimestamp <= at)) - firstPoison;
        }

        return new SentinelLabReport(
            settings, poisons, clean, firstPoison, phases, after,
            poisons == 0 ? double.NaN : (double)all.Count(c => c.Poisoned && (Quarantined(c) || recallVersion.ContainsKey(c.Id))) / poisons,
            clean == 0 ? double.NaN : (double)all.Count(c => !c.Poisoned && recallVersion.ContainsKey(c.Id)) / clean,
            clean == 0 ? double.NaN : (double)all.Count(c => !c.Poisoned && Quarantined(c)) / clean,
            seconds, samples,
            poisons == 0 ? double.NaN : (double)all.Count(c => c.Poisoned && (Quarantined(c) || RecalledOnce(c, int.MaxValue, exactly: false))) / poisons,
            clean == 0 ? double.NaN : (double)all.Count(c => !c.Poisoned && RecalledOnce(c, int.MaxValue, exactly: false)) / clean,
            byCampaign);
    }

    public string Markdown()
    {
        var c = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.AppendLine(c, $"# Sentinel lab: {Settings.Scenes} scenes, {Poisons} poisons from {Settings.PoisonFrom:P0} of the stream on (first at sample {FirstPoison}), seed {Settings.Seed}{(Settings.TrainOnSeed ? "; sentinels train on the trusted seed too" : "")}; trusted seed {Settings.SeedSize} (share sentinels train on and judge the window against: {Settings.FitSeedShare.ToString(CultureInfo.InvariantCulture)}){(double.IsNaN(Settings.BudgetConfidence) ? "" : ", budget held with confidence " + Settings.BudgetConfidence.ToString(CultureInfo.InvariantCulture))}{(Settings.CalibrationPool is { } pool ? ", calibration pool " + pool.ToString(CultureInfo.InvariantCulture) : "")}{(Settings.Rejudge == ClipGuard.Stream.Host.Settings.RejudgePolicy.Once ? "; swaps judge as Once (the service's default)" : "")}");
        t.AppendLine();
        t.AppendLine("## Verdicts on arrival, per model in use");
        t.AppendLine();
        t.AppendLine("| phase | model | poisons routed | quarantined | recall | clean routed | clean quarantined | precision |");
        t.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (Phase p in Phases)
        {
            t.AppendLine(c, $"| {p.Name} | `{p.Model}` | {p.Poisons} | {p.PoisonsQuarantined} | {F(p.Recall)} | {p.Clean} | {p.CleanQuarantined} ({p.CleanQuarantineRate * 1000:0.00} ‰) | {F(p.Precision)} |");
        }

        t.AppendLine();
        t.AppendLine("## After each sentinel round");
        t.AppendLine();
        t.AppendLine("| round | sentinel | after sample | window pairs | train s | swap s | judged clean + quarantined evidence | recalled poisons / clean | campaign covered so far | false recalls so far | ASR of the sentinel |");
        t.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (AfterSwap a in Swaps)
        {
            t.AppendLine(c, $"| {a.Swap.Round} | v{a.Swap.Version} | {a.Swap.StreamPosition} | {a.Swap.WindowPairs} | {a.Swap.TrainSeconds:0}{(a.Swap.Kept ? " (kept)" : "")} | {a.Swap.SwapSeconds:0} | {a.Swap.Judged} + {a.Swap.Evidence} | {a.RecalledPoisons} / {a.RecalledClean} | {a.CoveredSoFar} of {a.PoisonsSoFar} ({F(a.Coverage)}) | {a.FalseRecallsSoFar} of {a.CleanSoFar} ({a.FalseRecallRate * 1000:0.00} ‰) | {a.Swap.Asr} |");
        }

        t.AppendLine();
        t.AppendLine("## The same rounds, recalls limited to what Rejudge = Once judges (samples routed under the model each swap replaced)");
        t.AppendLine();
        t.AppendLine("Exact for recalls by the budget rule; for campaign recalls an estimate (the campaign was confirmed with every judged sample, and Once judges fewer).");
        t.AppendLine();
        t.AppendLine("| round | sentinel | recalled poisons / clean | campaign covered so far | false recalls so far |");
        t.AppendLine("|---:|---|---:|---:|---:|");
        foreach (AfterSwap a in Swaps)
        {
            t.AppendLine(c, $"| {a.Swap.Round} | v{a.Swap.Version} | {a.OnceRecalledPoisons} / {a.OnceRecalledClean} | {a.OnceCoveredSoFar} of {a.PoisonsSoFar} ({F(a.OnceCoverage)}) | {a.OnceFalseRecallsSoFar} of {a.CleanSoFar} ({a.OnceFalseRecallRate * 1000:0.00} ‰) |");
        }

        t.AppendLine();
        t.AppendLine("## Recalls by the campaign they named (every round)");
        t.AppendLine();
        t.AppendLine("| campaign | sentinel versions | recalled poisons | recalled clean |");
        t.AppendLine("|---|---|---:|---:|");
        foreach (CampaignRecalls r in ByCampaign)
        {
            t.AppendLine(c, $"| {(r.Campaign is { } id ? $"`{id}`" : "(none named)")} | {r.Versions} | {r.Poisons} | {r.Clean} |");
        }

        if (ByCampaign.Count == 0)
        {
            t.AppendLine("| (no recalls) | | | |");
        }

        t.AppendLine();
        if (Settings.Rejudge == ClipGuard.Stream.Host.Settings.RejudgePolicy.Once)
        {
            t.AppendLine(c, $"- Once (as run, the default): campaign ({Poisons} samples) quarantined on arrival or recalled **{F(FinalCoverage)}**; false recalls **{FinalFalseRecallRate * 1000:0.00} ‰**.");
        }
        else
        {
            t.AppendLine(c, $"- Every round (as run): campaign ({Poisons} samples) quarantined on arrival or recalled **{F(FinalCoverage)}**; false recalls **{FinalFalseRecallRate * 1000:0.00} ‰**.");
            t.AppendLine(c, $"- Once (the default; estimated from this run): campaign quarantined on arrival or recalled **{F(OnceCoverage)}**; false recalls **{OnceFalseRecallRate * 1000:0.00} ‰**.");
        }

        t.AppendLine(c, $"- Clean samples: {Clean}; quarantined on arrival: {FinalCleanQuarantineRate * 1000:0.00} ‰.");
        t.AppendLine(SecondsToFirstRecall is { } s
            ? string.Create(c, $"- From the campaign's first sample to its first recall: {s:0} s of wall time, {SamplesToFirstRecall} stream samples.")
            : "- No campaign sample was recalled.");
        return t.ToString();
    }

    private static string F(double x) => double.IsNaN(x) ? "n/a" : x.ToString("0.000", CultureInfo.InvariantCulture);
}
