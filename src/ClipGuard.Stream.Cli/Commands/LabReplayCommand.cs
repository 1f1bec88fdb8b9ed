using System.CommandLine;
using System.Text.Json;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Cli.Streaming;
using ClipGuard.Stream.Lab.Replay;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// <c>clipguard lab replay</c>: embedded, labelled datasets replayed through the stream's scorer (the decision the
/// service makes, without the broker), measured at the routing decision, one run per dataset, mean ± sd.
/// </summary>
internal static class LabReplayCommand
{
    public static Command Create()
    {
        var defaults = new ReplayOptions();
        var scorer = new StreamScorerOptions();
        var embeddings = new Option<DirectoryInfo[]>("--embeddings") { Description = "Embedded datasets (clipguard embed --out), one per seed", Required = true, AllowMultipleArgumentsPerToken = true };
        var labels = new Option<FileInfo[]>("--labels") { Description = "labels.csv (key,poisoned,...): one for all, or one per --embeddings", Required = true, AllowMultipleArgumentsPerToken = true };
        var seedSize = LabCommand.Int("--seed-size", "Vetted clean samples that seed the reference", defaults.SeedSize);
        var batch = LabCommand.Int("--batch", "Samples per micro-batch", defaults.BatchSize);
        var seed = LabCommand.Int("--seed", "Seed of the arrival order (run i uses seed + i)", defaults.Seed);
        var rule = new Option<ThresholdRule>("--rule") { Description = "conformal | robustz | quantile", DefaultValueFactory = _ => scorer.ThresholdRule };
        var detector = new Option<OutlierDetector>("--detector") { Description = "kdist | lof | slof | dao", DefaultValueFactory = _ => scorer.Detector };
        var k = LabCommand.Int("--k", "Neighbourhood size", scorer.Reference.K);
        var fqr = new Option<double>("--false-quarantine-rate") { Description = "Budget: share of clean samples quarantined", DefaultValueFactory = _ => scorer.FalseQuarantineRate };
        var fdr = new Option<double?>("--fdr") { Description = "Benjamini–Hochberg per batch at this false-discovery rate instead of the budget" };
        var confidence = new Option<double?>("--budget-confidence") { Description = "Hold the budget in each run with this probability over the calibration draw (unset: on average)" };
        var floor = new Option<double>("--admission-floor") { Description = "p-value a sample needs to enter the reference", DefaultValueFactory = _ => scorer.AdmissionFloor };
        var share = new Option<double>("--calibration-share") { Description = "Share of cleared samples held out for calibration", DefaultValueFactory = _ => scorer.CalibrationShare };
        var guardSize = LabCommand.Int("--guard-size", "Most seed members in the admission guard (0 = all)", scorer.GuardSize);
        var pool = LabCommand.Int("--calibration-pool", "Most held-out calibration samples kept", scorer.CalibrationPoolSize);
        var campaigns = new Option<bool>("--campaigns") { Description = "Confirm campaigns among suspects (conformal rule; --campaigns false turns it off)", DefaultValueFactory = _ => scorer.Campaigns.Enabled };
        var grouping = new Option<CampaignGrouping>("--campaign-grouping") { Description = "What groups suspects: image (proximity against the reference's density) | caption (one concept) | both", DefaultValueFactory = _ => scorer.Campaigns.Grouping };
        var suspect = new Option<double>("--suspect-level") { Description = "Fused p-value at or below which a sample is a campaign suspect", DefaultValueFactory = _ => scorer.Campaigns.SuspectLevel };
        var founding = new Option<double>("--founding-level") { Description = "By image: fused p-value at or below which a suspect may found a campaign (weaker suspects only join one)", DefaultValueFactory = _ => scorer.Campaigns.FoundingLevel };
        var radius = new Option<double>("--caption-radius") { Description = "Caption distance (unit vectors) within which suspects share a concept", DefaultValueFactory = _ => scorer.Campaigns.CaptionRadius };
        var joinRadius = new Option<double>("--campaign-join-radius") { Description = "By image: a suspect joins a confirmed campaign with a member within this fraction of its k-distance", DefaultValueFactory = _ => scorer.Campaigns.ImageJoinRadius };
        var minStart = LabCommand.Int("--campaign-min-trusted-start", "By image: fewest trusted seed members campaigns need (0 = no minimum)", scorer.Campaigns.MinimumTrustedStart);
        var cleanOnly = new Option<bool>("--clean-only") { Description = "Leave the poisoned samples out: the quarantine rate of a clean stream" };
        var poisons = new Option<int?>("--poisons") { Description = "Keep only the first N poisoned samples of the arrival order, every clean one: one embedded set streamed at a chosen poisoning rate (default: all)" };
        var agreementCalibration = LabCommand.Enum<AgreementCalibration>("--agreement-calibration", "What the image-caption agreement signal calibrates on: Trusted (the seed's pairs) | HeldOut (held-out stream samples, as the density signal)", scorer.AgreementCalibration);
        var noCaptions = new Option<bool>("--no-captions") { Description = "Image density only: do not give the scorer caption embeddings" };
        var capacity = LabCommand.Int("--capacity", "Reference capacity", scorer.Reference.Capacity);
        var sourceShare = new Option<double>("--source-share") { Description = "Largest share of the capacity one source may hold (every replayed sample has one source)", DefaultValueFactory = _ => scorer.Reference.MaxSourceShare };
        var holdBack = LabCommand.Int("--hold-back", "Cleared samples that wait before they may enter", scorer.Reference.HoldBack);
        var threads = LabCommand.Int("--threads", "k-NN threads (0 = one per core)", 0);
        var plot = new Option<bool>("--plot") { Description = "Also save the contamination curve (poisons in the reference over the stream) as a PNG beside --out" };
        var keep = new Option<bool>("--verdicts") { Description = "Also write every sample's verdict (key, label, route, fused p-value, score, campaign, revoked, batch, and each signal's p-value against the calibration after its batch) as OUT-runN-verdicts.csv beside --out" };
        var service = new Option<bool>("--through-service") { Description = "Stream the replay through the real service instead: the dev broker in process, the hosted service consuming it (seed as a .npy, the same scorer options), routes read back from the output topics" };
        var limit = new Option<int?>("--limit") { Description = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Most samples streamed, the first of the arrival order (default: all; {ServiceReplaySettings.DefaultLimit:N0} with --through-service: the dev broker keeps every message in memory)") };
        var partitions = LabCommand.Int("--partitions", "With --through-service: partitions of the input and output topics (0 = enough for ~4 MiB of messages each, at least 16)", 0);
        var output = new Option<FileInfo>("--out") { Description = "Markdown table to write (the results go beside it as .json)", Required = true };
        var command = new Command("replay", "Replay embedded, labelled datasets through the stream's scorer and measure the routing decision");
        foreach (Option option in new Option[] { embeddings, labels, seedSize, batch, seed, rule, detector, k, fqr, fdr, confidence, floor, share, guardSize, pool, campaigns, grouping, suspect, founding, radius, joinRadius, minStart, cleanOnly, poisons, agreementCalibration, noCaptions, capacity, sourceShare, holdBack, threads, plot, keep, service, limit, partitions, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab replay", () =>
        {
            DirectoryInfo[] sets = p.GetRequiredValue(embeddings);
            FileInfo[] truth = p.GetRequiredValue(labels);
            if (truth.Length != 1 && truth.Length != sets.Length)
            {
                throw new ArgumentException($"{truth.Length} --labels for {sets.Length} --embeddings: give one, or one per dataset");
            }

            ReplayOptions Options(int run) => new()
            {
                SeedSize = p.GetValue(seedSize),
                BatchSize = p.GetValue(batch),
                Seed = p.GetValue(seed) + run,
                Captions = !p.GetValue(noCaptions),
                CleanOnly = p.GetValue(cleanOnly),
                Poisons = p.GetValue(poisons),
                Limit = p.GetValue(limit) ?? (p.GetValue(service) ? ServiceReplaySettings.DefaultLimit : 0),
                KeepVerdicts = p.GetValue(keep),
                Scorer = new StreamScorerOptions
                {
                    ThresholdRule = p.GetValue(rule),
                    Detector = p.GetValue(detector),
                    FalseQuarantineRate = p.GetValue(fqr),
                    FalseDiscoveryRate = p.GetValue(fdr) ?? double.NaN,
                    BudgetConfidence = p.GetValue(confidence) ?? double.NaN,
                    AdmissionFloor = p.GetValue(floor),
                    CalibrationShare = p.GetValue(share),
                    GuardSize = p.GetValue(guardSize),
                    CalibrationPoolSize = p.GetValue(pool),
                    AgreementCalibration = p.GetValue(agreementCalibration),
                    Campaigns = new() { Enabled = p.GetValue(campaigns), Grouping = p.GetValue(grouping), SuspectLevel = p.GetValue(suspect), FoundingLevel = p.GetValue(founding), CaptionRadius = p.GetValue(radius), ImageJoinRadius = p.GetValue(joinRadius), MinimumTrustedStart = p.GetValue(minStart) },
                    BootstrapSize = Math.Min(StreamScorerOptions.DefaultBootstrapSize, p.GetValue(capacity)),
                    Reference = new()
                    {
                        K = p.GetValue(k),
                        Capacity = p.GetValue(capacity),
                        MaxSourceShare = p.GetValue(sourceShare),
                        HoldBack = p.GetValue(holdBack),
                        Threads = p.GetValue(threads),
                    },
                },
            };

            Options(0).Validate();
            FileInfo file = p.GetRequiredValue(output);
            if (p.GetValue(service))
            {
                ThroughService(sets, truth, Options, new ServiceReplaySettings { Partitions = p.GetValue(partitions) }, p.GetValue(plot) || p.GetValue(keep), file);
                return;
            }

            var runs = new List<ReplayResult>();
            for (int i = 0; i < sets.Length; i++)
            {
                Console.Error.WriteLine($"lab replay: {sets[i].FullName}");
                runs.Add(StreamReplay.Run(sets[i].FullName, truth[truth.Length == 1 ? 0 : i].FullName, Options(i)));
                if (p.GetValue(keep))
                {
                    ReplayVerdict.WriteCsv($"{Path.ChangeExtension(file.FullName, null)}-run{i + 1}-verdicts.csv", runs[^1].Verdicts);
                }
            }

            string markdown = ReplaySummary.Markdown(runs, Options(0));
            File.WriteAllText(file.FullName, markdown);
            WriteJson(file, runs);
            if (p.GetValue(plot))
            {
                ReplayOptions o = Options(0);
                ContaminationPlot.Save(Path.ChangeExtension(file.FullName, null) + "-contamination.png", $"Poisons in the reference: {file.Name}", runs, o.BatchSize, o.Scorer.Reference.K);
            }

            Console.Out.Write(markdown);
        }));
        return command;
    }

    /// <summary>Each dataset streamed through the service; the table and results written as for the scorer replay.</summary>
    private static void ThroughService(DirectoryInfo[] sets, FileInfo[] truth, Func<int, ReplayOptions> options, ServiceReplaySettings settings, bool scorerOnly, FileInfo file)
    {
        if (scorerOnly)
        {
            throw new ArgumentException("--plot and --verdicts need the scorer's state: they are not available with --through-service");
        }

        settings.Validate();
        var runs = new List<ServiceReplayResult>();
        for (int i = 0; i < sets.Length; i++)
        {
            Console.Error.WriteLine($"lab replay --through-service: {sets[i].FullName}");
            try
            {
                runs.Add(ServiceReplay.Run(sets[i].FullName, truth[truth.Length == 1 ? 0 : i].FullName, options(i), settings, Console.Error));
            }
            catch (InvalidOperationException e)
            {
                throw new IOException($"{sets[i].FullName}: {e.Message}", e);
            }
        }

        string markdown = ReplaySummary.ServiceMarkdown(runs, options(0));
        File.WriteAllText(file.FullName, markdown);
        WriteJson(file, runs);
        Console.Out.Write(markdown);
    }

    private static void WriteJson<T>(FileInfo file, List<T> runs) =>
        File.WriteAllText(Path.ChangeExtension(file.FullName, ".json"), JsonSerializer.Serialize(runs, new JsonSerializerOptions
        {
            WriteIndented = true,

            // Precision is NaN for a run that quarantined nothing.
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
}
