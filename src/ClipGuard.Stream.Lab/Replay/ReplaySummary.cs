using System.Globalization;
using System.Text;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>Replays of several runs as a markdown table: one row per run, then mean ± sd.</summary>
public static class ReplaySummary
{
    public static string Markdown(IReadOnlyList<ReplayResult> runs, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Stream replay through the service's scorer: {Setup(options)}. Mean ± sd over {runs.Count} run(s).");
        text.AppendLine();
        text.AppendLine("| run | precision | recall | false-quarantine rate | quarantined (poison / clean) | campaigns: count, members at arrival (poison / clean), revoked (poison / clean) | recall with revocations | poisons / clean streamed | max poisons in reference | poisons in reference at end | max poisons in calibration pool | reference at end | admitted | below floor | seconds |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ReplayResult r in runs)
        {
            text.AppendLine(c, $"| {r.Name} | {F(r.Precision)} | {F(r.Recall)} | {r.FalseQuarantineRate:0.00000} | {r.TruePositives} / {r.FalsePositives} | {r.Campaigns}, {r.CampaignPoisons} / {r.CampaignClean}, {r.RevokedPoisons} / {r.RevokedClean} | {F(r.RecallWithRevocations)} | {r.Poisons} / {r.Clean} | {r.MaxPoisonsInReference} | {r.PoisonsInReferenceAtEnd} | {r.MaxPoisonsInCalibration} | {r.ReferenceSizeAtEnd} | {r.Admitted} | {r.BelowFloor} | {r.Seconds:0} |");
        }

        if (runs.Count > 1)
        {
            text.AppendLine(c, $"| **mean ± sd** | {MeanSd(runs.Select(r => r.Precision))} | {ProtocolSummary.MeanSd(runs.Select(r => r.Recall))} | {ProtocolSummary.MeanSd(runs.Select(r => r.FalseQuarantineRate * 1000))} ‰ | | | {ProtocolSummary.MeanSd(runs.Select(r => r.RecallWithRevocations))} | | {ProtocolSummary.MeanSd(runs.Select(r => (double)r.MaxPoisonsInReference))} | | | | | | |");
        }

        return text.ToString();
    }

    /// <summary>
    /// Replays streamed through the service as a markdown table: the routes read back from the output topics, the
    /// campaign members from the campaign header, dead letters, and the service's throughput. Poisons in the
    /// reference and revocations are the scorer's state, not in the service's outputs: "—".
    /// </summary>
    public static string ServiceMarkdown(IReadOnlyList<ServiceReplayResult> runs, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Stream replay through the service (dev broker in process, the hosted service consuming it, routes read back from the output topics): {Setup(options)}; the service's micro-batches of at most {options.BatchSize} form per partition as messages arrive, so arrival is only approximately the replay's order. The seed goes to the service as a .npy of image embeddings{(options.Captions ? " with its caption embeddings (--seed-captions), so the agreement signal calibrates on the seed as in the scorer replay" : " without captions")}. Mean ± sd over {runs.Count} run(s); \"—\": not in the service's outputs (poisons in the reference, revocations).");
        text.AppendLine();
        text.AppendLine("| run | precision | recall | false-quarantine rate | quarantined (poison / clean) | campaigns: count, members at arrival (poison / clean), revoked | poisons / clean streamed (of available) | partitions | dead-lettered | duplicate copies | max poisons in reference | seconds | messages/s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ServiceReplayResult s in runs)
        {
            ReplayResult r = s.Routes;
            text.AppendLine(c, $"| {r.Name} | {F(r.Precision)} | {F(r.Recall)} | {r.FalseQuarantineRate:0.00000} | {r.TruePositives} / {r.FalsePositives} | {r.Campaigns}, {r.CampaignPoisons} / {r.CampaignClean}, — | {r.Poisons} / {r.Clean} (of {s.Available}) | {s.Partitions} | {s.DeadLettered} | {s.Duplicates} | — | {s.Seconds:0.0} | {s.MessagesPerSecond:0} |");
        }

        if (runs.Count > 1)
        {
            text.AppendLine(c, $"| **mean ± sd** | {MeanSd(runs.Select(r => r.Routes.Precision))} | {ProtocolSummary.MeanSd(runs.Select(r => r.Routes.Recall))} | {ProtocolSummary.MeanSd(runs.Select(r => r.Routes.FalseQuarantineRate * 1000))} ‰ | | | | | | | | | {ProtocolSummary.MeanSd(runs.Select(r => r.MessagesPerSecond))} |");
        }

        return text.ToString();
    }

    /// <summary>The seed, batches, detector and decision rule a replay ran with, as one sentence's middle.</summary>
    private static string Setup(ReplayOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var s = options.Scorer;
        string rule = s.ThresholdRule == Core.Pipeline.ThresholdRule.Conformal
            ? (double.IsNaN(s.FalseDiscoveryRate) ? $"conformal, false-quarantine rate {s.FalseQuarantineRate:G3}{(double.IsNaN(s.BudgetConfidence) ? "" : $" held with confidence {s.BudgetConfidence:G3}")}" : $"conformal, Benjamini–Hochberg FDR {s.FalseDiscoveryRate:G3} per batch")
              + $", admission floor {s.AdmissionFloor:G3}, calibration share {s.CalibrationShare:G3} (pool ≤ {s.CalibrationPoolSize})"
              + (s.Campaigns.Enabled ? $", campaigns by {s.Campaigns.Grouping.ToString().ToLowerInvariant()} (suspects at p ≤ {s.Campaigns.SuspectLevel:G3}, founded by image at p ≤ {s.Campaigns.FoundingLevel:G3}, caption radius {s.Campaigns.CaptionRadius:G3}, image join radius {s.Campaigns.ImageJoinRadius:G3} × k-distance, ≥ {s.Campaigns.MinimumMembers} members, significance {s.Campaigns.Significance:G3}, by image only from a trusted start of ≥ {s.Campaigns.MinimumTrustedStart})" : ", no campaigns")
            : $"{s.ThresholdRule}";
        return string.Create(c, $"{options.SeedSize} vetted clean seed samples, batches of {options.BatchSize}, {s.Detector} with k = {s.Reference.K}, {rule}; signals: image density{(options.Captions ? " + image–caption agreement (when embedded)" : " only")}; capacity {s.Reference.Capacity}, source share {s.Reference.MaxSourceShare:G3}, hold-back {s.Reference.HoldBack}");
    }

    /// <summary>Precision is undefined for a run that quarantined nothing: such runs are named, not averaged as zero.</summary>
    private static string MeanSd(IEnumerable<double> values)
    {
        double[] v = [.. values];
        double[] defined = [.. v.Where(double.IsFinite)];
        string mean = defined.Length == 0 ? "—" : ProtocolSummary.MeanSd(defined);
        return defined.Length == v.Length ? mean : $"{mean} ({v.Length - defined.Length} run(s) quarantined nothing)";
    }

    private static string F(double x) => double.IsFinite(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
}
