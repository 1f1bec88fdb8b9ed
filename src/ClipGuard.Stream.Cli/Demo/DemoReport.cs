using System.Globalization;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>The verdicts held against the planted ground truth: counts by route, precision, recall, the top of the quarantine.</summary>
internal sealed record DemoReport(
    int Clean,
    int Quarantined,
    int DeadLettered,
    int Planted,
    int Caught,
    int FalseAlarms,
    double Auroc,
    IReadOnlyList<(CrawlSample Sample, RoutedCopy Verdict)> Top)
{
    public const int TopCount = 10;

    /// <summary>Per confirmed campaign (verdict header clipguard-campaign): its quarantined members, planted and clean.</summary>
    public IReadOnlyDictionary<string, (int Planted, int Clean)> Campaigns { get; init; } = new Dictionary<string, (int, int)>();

    public int Missed => Planted - Caught;

    /// <summary>Of the quarantined, the share that was planted; NaN when nothing was quarantined.</summary>
    public double Precision => Quarantined == 0 ? double.NaN : (double)Caught / Quarantined;

    /// <summary>Of the planted, the share that was quarantined; NaN when nothing was planted.</summary>
    public double Recall => Planted == 0 ? double.NaN : (double)Caught / Planted;

    /// <summary>Holds the first verdict of each sample against the ground truth: copies an operator released later are
    /// not verdicts, and at-least-once duplicates keep the first.</summary>
    public static DemoReport From(IReadOnlyList<CrawlSample> samples, IEnumerable<RoutedCopy> copies)
    {
        var verdicts = new Dictionary<string, RoutedCopy>(StringComparer.Ordinal);
        foreach (RoutedCopy copy in copies.Where(c => !c.IsRelease))
        {
            verdicts.TryAdd(copy.Id, copy);
        }

        int clean = 0, quarantined = 0, dead = 0, caught = 0, falseAlarms = 0;
        var campaigns = new SortedDictionary<string, (int Planted, int Clean)>(StringComparer.Ordinal);
        var held = new List<(CrawlSample, RoutedCopy)>();
        foreach (CrawlSample s in samples)
        {
            if (!verdicts.TryGetValue(s.Id, out RoutedCopy? v))
            {
                continue;
            }

            switch (v.Topic)
            {
                case TopicNames.Clean:
                    clean++;
                    break;
                case TopicNames.Quarantine:
                    quarantined++;
                    caught += s.Poisoned ? 1 : 0;
                    falseAlarms += s.Poisoned ? 0 : 1;
                    held.Add((s, v));
                    if (v.Headers.TryGetValue(ClipGuardHeaders.Campaign, out string? campaign))
                    {
                        (int planted, int cleanMembers) = campaigns.GetValueOrDefault(campaign);
                        campaigns[campaign] = s.Poisoned ? (planted + 1, cleanMembers) : (planted, cleanMembers + 1);
                    }

                    break;
                default:
                    dead++;
                    break;
            }
        }

        // Ranking quality apart from the cut: the p-value where the conformal rule gave one (smaller is more suspect),
        // otherwise the score over the threshold the sample was held to.
        bool conformal = verdicts.Values.Any(v => double.IsFinite(v.PValue));
        double Suspicion(RoutedCopy v) => conformal ? -v.PValue : v.Score / v.Threshold;
        var top = held.OrderByDescending(p => Suspicion(p.Item2)).ThenByDescending(p => p.Item2.Score / p.Item2.Threshold).Take(TopCount).ToList();
        var scored = samples.Where(s => verdicts.TryGetValue(s.Id, out RoutedCopy? v) && double.IsFinite(Suspicion(v))).ToList();
        double[] ratios = [.. scored.Select(s => Suspicion(verdicts[s.Id]))];
        int[] labels = [.. scored.Select(s => s.Poisoned ? 1 : 0)];
        double auroc = labels.Contains(0) && labels.Contains(1) ? DetectionMetrics.Auroc(ratios, labels) : double.NaN;
        return new DemoReport(clean, quarantined, dead, samples.Count(s => s.Poisoned), caught, falseAlarms, auroc, top) { Campaigns = campaigns };
    }

    public void Write(TextWriter output)
    {
        output.WriteLine(Inv($"  routes          clean {Clean}, quarantine {Quarantined}, dead-letter {DeadLettered}"));
        output.WriteLine(Inv($"  planted         {Planted} poisoned pairs: {Caught} quarantined, {Missed} missed; {FalseAlarms} clean pairs quarantined"));
        output.WriteLine(Inv($"  precision       {Precision:F3}   (quarantined pairs that were planted)"));
        output.WriteLine(Inv($"  recall          {Recall:F3}   (planted pairs that were quarantined)"));
        output.WriteLine(Inv($"  AUROC           {Auroc:F3}   (the streamed p-values, or score / threshold, as a ranking of all pairs)"));
        output.WriteLine(Campaigns.Count == 0
            ? "  campaigns       none confirmed"
            : Inv($"  campaigns       {string.Join("; ", Campaigns.Select(c => Inv($"{c.Key}: {c.Value.Planted} planted and {c.Value.Clean} clean pairs quarantined as members")))}"));
        if (Top.Count == 0)
        {
            return;
        }

        output.WriteLine(Inv($"  top {Top.Count} quarantined, most suspect first (* = planted):"));
        foreach ((CrawlSample s, RoutedCopy v) in Top)
        {
            string p = double.IsFinite(v.PValue) ? Inv($"p {v.PValue,8:G3}") : Inv($"{v.Score / v.Threshold,8:F2}x");
            output.WriteLine(Inv($"    {(s.Poisoned ? '*' : ' ')} {s.Id}  {p}  \"{s.Caption}\"  {s.Source}"));
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
