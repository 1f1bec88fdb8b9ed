using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.IO;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// The merge step: all shards' scores in global order become scores.csv, the removal list, the histogram and the
/// summary. Runs after an unsharded clean, or as <c>clipguard clean-merge</c> once every <c>--shard i/n</c> part is done.
/// </summary>
public static class CleanMerger
{
    public static CleanSummary Merge(CleanSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Merge(EmbeddingSet.Open(settings.Embeddings), new CleanLayout(settings.Out), settings);
    }

    internal static CleanSummary Merge(EmbeddingSet set, CleanLayout layout, CleanSettings settings)
    {
        var config = OfflineJson.Read<CleanConfig>(layout.Config) ?? throw new OfflineInputException($"{layout.Root}: no clean_config.json (run clipguard clean first)");
        if (config.Embeddings != OfflinePaths.Canonical(settings.Embeddings))
        {
            throw new OfflineInputException($"{layout.Root} holds scores of {config.Embeddings}, not {settings.Embeddings}");
        }

        bool confident = settings.ByBudget && settings.BudgetConfidence is not null;
        if (confident)
        {
            CheckConfidentCut(settings, config.DensityCalibrationCount, config.AgreementCalibrationCount);
        }

        var missing = Enumerable.Range(0, set.Shards.Count).Where(i => !File.Exists(layout.ShardScores(i))).ToArray();
        if (missing.Length > 0)
        {
            throw new OfflineInputException($"{layout.Root}: shards {string.Join(", ", missing.Take(10))}{(missing.Length > 10 ? ", ..." : "")} are not scored yet; run the remaining clipguard clean --shard parts first");
        }

        var ids = new List<string>();
        var captions = new List<string>();
        var sources = new List<string?>();
        var scores = new List<double>();
        var pValues = new List<double>();
        var densityP = new List<double>();
        var agreementP = new List<double>();
        for (int i = 0; i < set.Shards.Count; i++)
        {
            double[] part = Npy.ReadVector(layout.ShardScores(i));
            double[] p = File.Exists(layout.ShardPValues(i)) ? Npy.ReadVector(layout.ShardPValues(i)) : [];
            var meta = set.ReadMetadata(i);
            if (part.Length != meta.Count || p.Length != meta.Count)
            {
                throw new OfflineInputException($"{layout.ShardScores(i)} has {part.Length} scores and {p.Length} p-values for {meta.Count} samples: delete it and run clean again");
            }

            if (confident)
            {
                if (!File.Exists(layout.ShardDensityP(i)) || !File.Exists(layout.ShardAgreementP(i)))
                {
                    throw new OfflineInputException($"{layout.Root}: shard {i} was scored without per-signal p-values, which --budget-confidence reads: delete {Path.Combine(layout.Root, "scores")} and run clean again");
                }

                double[] d = Npy.ReadVector(layout.ShardDensityP(i)), a = Npy.ReadVector(layout.ShardAgreementP(i));
                if (d.Length != meta.Count || a.Length != meta.Count)
                {
                    throw new OfflineInputException($"{layout.ShardDensityP(i)} or {layout.ShardAgreementP(i)} does not hold {meta.Count} p-values: delete it and run clean again");
                }

                densityP.AddRange(d);
                agreementP.AddRange(a);
            }

            scores.AddRange(part);
            pValues.AddRange(p);
            foreach (var row in meta)
            {
                ids.Add(row.Key ?? "");
                captions.Add(row.Caption ?? "");
                sources.Add(Reading.DatasetSample.SourceOf(row.Url));
            }
        }

        int n = scores.Count;
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var (removal, threshold, rule) = Removal(settings, config, order, scores, pValues, densityP, agreementP);
        var removed = new bool[n];
        foreach (int i in removal)
        {
            removed[i] = true;
        }

        WriteScores(layout.Scores, ids, scores, pValues);
        AtomicFile.Write(layout.Removal, tmp => File.WriteAllLines(tmp, removal.Select(i => ids[i])));
        ScoreHistogram.Write(layout.Histogram, scores, threshold, $"{config.Detector} scores, k = {config.K}, |R| = {config.ReferenceCount}, n = {n}");

        var summary = new CleanSummary(
            n,
            set.Shards.Count,
            set.Skipped(),
            config,
            Quantiles(order, scores),
            rule,
            removal.Length,
            threshold,
            order.Take(settings.Top).Select((i, r) => new SuspiciousSample(r + 1, ids[i], scores[i], captions[i], sources[i])).ToArray(),
            CaptionBursts.Find(captions, sources, scores, removed, settings.BurstMin));
        OfflineJson.Write(layout.SummaryJson, summary);
        AtomicFile.Write(layout.SummaryMarkdown, tmp => File.WriteAllText(tmp, SummaryMarkdown.Render(summary)));
        return summary;
    }

    /// <summary>
    /// Refuses a confident budget (<see cref="CleanSettings.BudgetConfidence"/>) that calibrations of these sizes cannot
    /// hold: no sample could be removed, so the run would only pretend to clean.
    /// </summary>
    internal static void CheckConfidentCut(CleanSettings settings, int densityCount, int agreementCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.ByBudget || settings.BudgetConfidence is not { } c
            || !ConfidentCut.For(densityCount, agreementCount, settings.FalseRemovalRate, c).Unreachable)
        {
            return;
        }

        int needed = ConfidentCut.ScoresNeeded(agreementCount > 0 ? 2 : 1, settings.FalseRemovalRate, c);
        string has = agreementCount > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{densityCount} density and {agreementCount} agreement scores")
            : string.Create(CultureInfo.InvariantCulture, $"{densityCount} density scores");
        throw new OfflineInputException(string.Create(CultureInfo.InvariantCulture,
            $"--false-removal-rate {settings.FalseRemovalRate} with --budget-confidence {c} needs {needed} calibration scores per signal; this calibration has {has}: raise --reference-size (or give a larger trusted --reference), the rate, or lower the confidence"));
    }

    /// <summary>The removed rows, in the order remove.txt lists them: by score for a score rule, by p-value for the budget.</summary>
    private static (int[] Removed, double? Threshold, string Rule) Removal(
        CleanSettings settings, CleanConfig config, int[] order, List<double> scores, List<double> pValues, List<double> densityP, List<double> agreementP)
    {
        if (settings.RemoveTopPercent is { } p)
        {
            // The epsilon keeps 1% of 1,000 at 10 when p * n / 100 lands a rounding error above an integer.
            int count = Math.Min(order.Length, (int)Math.Ceiling((p * order.Length / 100.0) - 1e-9));
            return (order[..count], count > 0 ? scores[order[count - 1]] : null, string.Create(CultureInfo.InvariantCulture, $"top {p}%"));
        }

        if (settings.Threshold is { } t)
        {
            return ([.. order.TakeWhile(i => scores[i] > t)], t, string.Create(CultureInfo.InvariantCulture, $"score > {t}"));
        }

        double budget = settings.FalseRemovalRate;
        if (settings.BudgetConfidence is { } confidence)
        {
            var cut = ConfidentCut.For(config.DensityCalibrationCount, config.AgreementCalibrationCount, budget, confidence);
            int[] beyond = [.. order.Where(i => cut.Exceeds(densityP[i], agreementP[i])).OrderBy(i => pValues[i])];
            string levels = config.AgreementCalibrationCount > 0
                ? string.Create(CultureInfo.InvariantCulture, $"density p <= {cut.Density:G4} or agreement p <= {cut.Agreement:G4}")
                : string.Create(CultureInfo.InvariantCulture, $"density p <= {cut.DensityAlone:G4}");
            return (beyond, null, string.Create(CultureInfo.InvariantCulture,
                $"{levels}: the cut that removes at most {budget} of clean samples with confidence {confidence} over the calibration draw"));
        }

        // order is by score, highest first, and OrderBy is stable: equal p-values keep the higher score first.
        int[] byP = [.. order.Where(i => pValues[i] <= budget).OrderBy(i => pValues[i])];
        return (byP, null, string.Create(CultureInfo.InvariantCulture, $"fused p-value <= {budget} (about that share of clean samples is removed)"));
    }

    private static ScoreQuantiles Quantiles(int[] order, List<double> scores)
    {
        if (order.Length == 0)
        {
            return new ScoreQuantiles(0, 0, 0, 0, 0);
        }

        // order is descending: the q-quantile sits (1 - q) of the way down.
        double At(double q) => scores[order[(int)Math.Round((1 - q) * (order.Length - 1))]];
        return new ScoreQuantiles(At(0), At(0.5), At(0.9), At(0.99), At(1));
    }

    private static void WriteScores(string path, List<string> ids, List<double> scores, List<double> pValues) => AtomicFile.Write(path, tmp =>
    {
        using var w = new StreamWriter(tmp, false, new UTF8Encoding(false));
        w.WriteLine("id,score,p_value");
        for (int i = 0; i < ids.Count; i++)
        {
            w.Write(Csv(ids[i]));
            w.Write(',');
            w.Write(scores[i].ToString("R", CultureInfo.InvariantCulture));
            w.Write(',');
            w.WriteLine(pValues[i].ToString("R", CultureInfo.InvariantCulture));
        }
    });

    /// <summary>RFC 4180 quoting, only where an id needs it.</summary>
    internal static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
