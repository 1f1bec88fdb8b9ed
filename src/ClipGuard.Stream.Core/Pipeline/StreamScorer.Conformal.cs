using System.Diagnostics;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Pipeline;

// The conformal rule (ThresholdRule.Conformal): p-values from a held-out calibration pool, the operator's budget as
// the cut, the pair's image–caption agreement fused with the image density, and a p-value floor (against the growing
// reference and the frozen starting one) for admission.
public sealed partial class StreamScorer
{
    private CalibrationPool? _pool;
    private SeedGuard? _guard;
    private ConformalCalibration? _calibration;
    private long _calibrationVersion;
    private CampaignTracker? _campaigns;
    private readonly List<Revocation> _revocations = [];
    private readonly HashSet<string> _suspectsRoutedClean = [];
    private readonly Queue<string> _suspectOrder = new();
    private (long Version, ConfidentCut Cut)? _levels;

    /// <summary>Confirmed campaigns (null unless the rule is conformal and campaigns are enabled).</summary>
    public CampaignTracker? Campaigns => _campaigns;

    /// <summary>
    /// Samples routed clean earlier that a campaign confirmed since the last call: they were taken out of the hold-back,
    /// the reference or the calibration pool; the caller records them (ledger, quarantine) as campaign members.
    /// </summary>
    public IReadOnlyList<Revocation> DrainRevocations()
    {
        var list = _revocations.ToList();
        _revocations.Clear();
        return list;
    }

    /// <summary>
    /// The campaign options when campaigns are confirmed (the conformal rule with campaigns enabled), null otherwise:
    /// a sample routed clean with a fused p-value at most <see cref="CampaignOptions.SuspectLevel"/> stays revocable
    /// while it is among the last <see cref="CampaignOptions.Window"/> such suspects.
    /// </summary>
    public CampaignOptions? CampaignOptions => Conformal && _options.Campaigns.Enabled ? _options.Campaigns : null;

    /// <summary>The model version the scorer's verdicts name now (it changes with a model swap).</summary>
    public string ModelVersion => _options.ModelVersion;

    /// <summary>The calibration verdicts are decided by now (null unless the rule is conformal and the reference is ready).</summary>
    public ConformalCalibration? Calibration => _calibration;

    /// <summary>The admission guard's members, the starting rows they were drawn from and the cap; null without a guard.</summary>
    public (int Members, int StartingRows, int Cap)? Guard => _guard is null ? null : (_guard.Count, _guard.StartingRows, _options.GuardSize);

    /// <summary>The held-out calibration samples (null unless the rule is conformal).</summary>
    public CalibrationPool? CalibrationPool => _pool;

    /// <summary>Samples routed clean but kept out of the reference by the admission floor, since the start.</summary>
    public long HeldBelowFloor { get; private set; }

    /// <summary>Campaigns confirmed since the start (0 without <see cref="StreamScorerOptions.Campaigns"/>).</summary>
    public int CampaignsConfirmed => _campaigns?.Campaigns.Count ?? 0;

    /// <summary>
    /// True when campaigns are enabled but off because the trusted start has fewer members than
    /// <see cref="CampaignOptions.MinimumTrustedStart"/> (image or both groupings).
    /// </summary>
    public bool CampaignsHeldBack { get; private set; }

    /// <summary>Members of the trusted start (seed or bootstrap set) the conformal rule began from.</summary>
    public int TrustedStart { get; private set; }

    /// <summary>Samples routed clean and later taken back by a campaign, since the start.</summary>
    public long RevokedTotal { get; private set; }

    /// <summary>The smallest fused p-value the current calibration can give, signals / (n + 1); NaN before the conformal rule has calibrated.</summary>
    public double SmallestPValue => Conformal && _calibration is { HasDensity: true } c ? SignalCount / (double)(c.DensityCount + 1) : double.NaN;

    /// <summary>
    /// True when the false-quarantine budget is below <see cref="SmallestPValue"/>: no sample can be quarantined until
    /// the calibration holds more scores (a seed of n members calibrates budgets down to about signals / (n + 1)).
    /// </summary>
    public bool BudgetUnreachable => Levels() is { } levels
        ? levels.Unreachable
        : double.IsNaN(_options.FalseDiscoveryRate) && SmallestPValue > _options.FalseQuarantineRate;

    /// <summary>The confidence the budget is held with in one deployment (<see cref="StreamScorerOptions.BudgetConfidence"/>; NaN = on average only).</summary>
    public double BudgetConfidence => _options.BudgetConfidence;

    /// <summary>The conformal rule's budget (<see cref="StreamScorerOptions.FalseQuarantineRate"/>).</summary>
    public double FalseQuarantineRate => _options.FalseQuarantineRate;

    /// <summary>Calibration scores the budget needs: the smallest n with signals / (n + 1) at or below it.</summary>
    public int CalibrationScoresNeeded => Levels() is not null
        ? ConfidentCut.ScoresNeeded(SignalCount, _options.FalseQuarantineRate, _options.BudgetConfidence)
        : (int)Math.Ceiling(SignalCount / _options.FalseQuarantineRate) - 1;

    /// <summary>True when verdicts use caption embeddings (the conformal rule with agreement or campaigns): worth embedding captions for.</summary>
    public bool UsesCaptions => Conformal && (_options.UseAgreement || _options.Campaigns.Enabled);

    private bool Conformal => _options.ThresholdRule == ThresholdRule.Conformal && double.IsNaN(_options.FixedThreshold);

    /// <summary>The starting members: trusted for calibration until enough samples were held out, and the guard's set.</summary>
    private void StartConformal(IReadOnlyList<string> ids, IReadOnlyList<double> disagreements, Matrix<float> rawVectors)
    {
        _pool = new CalibrationPool(_options.CalibrationPoolSize, _options.CalibrationShare, _options.AgreementCalibration);
        TrustedStart = ids.Count;
        // Image campaigns need a trusted start large enough (CampaignOptions.MinimumTrustedStart); caption ones do not.
        CampaignsHeldBack = _options.Campaigns.Enabled && _options.Campaigns.Grouping != CampaignGrouping.Caption && ids.Count < _options.Campaigns.MinimumTrustedStart;
        _campaigns = _options.Campaigns.Enabled && !CampaignsHeldBack ? new CampaignTracker(_options.Campaigns) : null;
        _pool.SetTrusted(ids.Select((id, i) => (id, disagreements[i])));
        _guard = rawVectors.Rows > _options.Reference.K ? new SeedGuard(rawVectors, _options.Reference.K, _options.Reference.Metric, _options.Detector, _options.Reference.Threads, _options.GuardSize, _options.Reference.Seed) : null;
    }

    private double Disagreement(StreamSample s) =>
        _options.UseAgreement && s.TextEmbedding is { } text ? PairAgreement.Disagreement(s.Embedding, text) : double.NaN;

    private int SignalCount => _calibration is null ? 1 : (_calibration.HasAgreement ? 2 : 1);

    private void RecalibrateConformal()
    {
        if (_pool is null)
        {
            // A reference restored from a snapshot: its members stand in as the trusted set.
            var ids = Reference.MemberIds.ToList();
            StartConformal(ids, [.. ids.Select(_ => double.NaN)], Reference.Vectors(ids));
        }

        // Each held-out entry is re-scored once the reference has changed by a tenth of its size, and never more often
        // than once per as many changes as there are entries: re-scoring costs one k-NN query per entry, so this bounds
        // it at one query per reference change however large the pool (25,000 entries against a 50,000-member
        // reference would otherwise cost five queries per change, more than the stream's own). The pool spreads the
        // re-scores over the calibrations in between (stalest first) instead of re-scoring all at once.
        double refreshEvery = Math.Max(Math.Max(_options.RecalibrateEvery, 0.1 * Reference.Count), _pool!.HeldOutCount);
        _calibration = _pool.Calibrate(Reference, _options.Detector, refreshEvery, ++_calibrationVersion, _options.MinimumCalibration);
        Threshold = _calibration.DensityThreshold(Levels() is { } levels ? levels.Density : _options.FalseQuarantineRate / SignalCount);
    }

    /// <summary>The confident cut of the current calibration (null under the marginal rule or before calibrating).</summary>
    private ConfidentCut? Levels()
    {
        if (double.IsNaN(_options.BudgetConfidence) || _calibration is not { HasDensity: true } c)
        {
            return null;
        }

        if (_levels?.Version != c.Version)
        {
            _levels = (c.Version, ConfidentCut.For(c.DensityCount, c.HasAgreement ? c.AgreementCount : 0, _options.FalseQuarantineRate, _options.BudgetConfidence));
        }

        return _levels.Value.Cut;
    }

    /// <summary>Fused p-values of samples given their density scores; quarantine decisions by the budget rule.</summary>
    private (double[] Fused, bool[] Quarantine) Decide(ConformalCalibration calibration, IReadOnlyList<StreamSample> samples, IReadOnlyList<double> scores)
    {
        var fused = new double[samples.Count];
        ConfidentCut? levels = Levels();
        var confident = levels is null ? null : new bool[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            double density = calibration.DensityP(scores[i]), agreement = calibration.AgreementP(Disagreement(samples[i]));
            fused[i] = PValues.Fuse(density, agreement);
            if (confident is not null)
            {
                // Each signal against its own confident level (the fused p ≤ α of the marginal rule is each p ≤ α / 2).
                confident[i] = levels!.Exceeds(density, agreement);
            }
        }

        bool[] quarantine = confident
            ?? (double.IsNaN(_options.FalseDiscoveryRate)
                ? [.. fused.Select(p => p <= _options.FalseQuarantineRate)]
                : PValues.BenjaminiHochberg(fused, _options.FalseDiscoveryRate));
        return (fused, quarantine);
    }

    /// <summary>
    /// Suspects join the campaign tracker; members of a campaign are quarantined, and earlier members (routed clean
    /// before the campaign was confirmed) are taken back from the hold-back, the reference and the calibration pool.
    /// </summary>
    /// <param name="judging">A re-judgement of samples routed earlier (<see cref="Judge"/>): they are not remembered as
    /// revocable suspects, since their messages were routed under another model.</param>
    private string?[] Confirm(List<StreamSample> samples, Matrix<float> m, QueryResult[] results, double[] fused, bool[] quarantine, bool judging = false)
    {
        var campaignOf = new string?[samples.Count];
        if (_campaigns is null)
        {
            return campaignOf;
        }

        var inBatch = new Dictionary<string, int>();
        double radius = _options.Campaigns.CaptionRadius;
        CampaignGrouping grouping = _options.Campaigns.Grouping;

        // By image, the clean density around a suspect is read from the frozen guard (a uniform sample of the trusted
        // start) when there is one: the growing reference admits only samples well inside the clean distribution, so
        // it under-represents the sparse regions where suspects live, and a rate read from it takes clean suspects
        // there for a campaign (lab, 2,048-pair seed, clean streams: 93–577 clean samples per stream quarantined as
        // campaign members; docs/detection-results.md).
        Dictionary<int, QueryResult>? guardNear = null;
        if (grouping is CampaignGrouping.Image or CampaignGrouping.Both && _guard is not null)
        {
            int[] suspects = [.. Enumerable.Range(0, samples.Count).Where(i => fused[i] <= _options.Campaigns.SuspectLevel)];
            if (suspects.Length > 0)
            {
                QueryResult[] near = _guard.Query(m.SelectRows(suspects));
                guardNear = suspects.Select((row, j) => (row, near[j])).ToDictionary(x => x.row, x => x.Item2);
            }
        }

        // A calibration too small to give a p-value at the founding level (its smallest is larger) cannot tell strong
        // suspects from weak ones: every suspect founds, as the suspect level alone decides.
        double foundingLevel = SmallestPValue > _options.Campaigns.FoundingLevel ? _options.Campaigns.SuspectLevel : _options.Campaigns.FoundingLevel;
        for (int i = 0; i < samples.Count; i++)
        {
            // The clean expectation near a suspect scales with the samples seen up to it, this batch's included: a
            // swap judges a whole window in one call, where counting only after the batch left the exposure at one
            // sample and confirmed scattered clean suspects as campaigns (lab: 11–47 per swap).
            _campaigns.Seen(1);
            inBatch.TryAdd(samples[i].Id, i);
            if (!(fused[i] <= _options.Campaigns.SuspectLevel))
            {
                continue;
            }

            string? campaign = null;
            var earlier = new List<string>();
            if (grouping is CampaignGrouping.Image or CampaignGrouping.Both)
            {
                // The query's neighbours come ascending (the k-distance is the last), as the tracker needs them.
                // The radii are fractions of its k-distance to the reference (the local scale now); the clean rate
                // within them is read from the guard.
                double[] distances = [.. results[i].Neighbors.Select(x => x.Distance)];
                double[] clean = guardNear is not null && guardNear.TryGetValue(i, out QueryResult? g) ? [.. g.Neighbors.Select(x => x.Distance)] : [];
                (campaign, IReadOnlyList<string> byImage) = _campaigns.AddImage(samples[i].Id, m.RowReadOnly(i), fused[i] <= foundingLevel, distances, Reference.Count, clean, _guard?.Count ?? 0);
                earlier.AddRange(byImage);
            }

            if ((grouping is CampaignGrouping.Caption or CampaignGrouping.Both) && samples[i].TextEmbedding is { } caption)
            {
                (string? byCaption, IReadOnlyList<string> captionEarlier) = _campaigns.Add(samples[i].Id, caption, unit => _pool!.CaptionSuspectRateNear(unit, radius, _options.Campaigns.SuspectLevel));
                campaign ??= byCaption;
                earlier.AddRange(captionEarlier);
            }

            if (campaign is null)
            {
                continue;
            }

            campaignOf[i] = campaign;
            quarantine[i] = true;
            foreach (string id in earlier)
            {
                if (inBatch.TryGetValue(id, out int j))
                {
                    campaignOf[j] = campaign;
                    quarantine[j] = true;
                }
                else if (_suspectsRoutedClean.Remove(id))
                {
                    // Routed clean before the campaign was confirmed: taken back. One quarantined by the budget
                    // rule already is only named a member.
                    bool fromReference = Reference.Revoke(id);
                    bool fromPool = _pool!.Remove(id);
                    _revocations.Add(new Revocation(id, campaign, fromReference, fromPool));
                    RevokedTotal++;
                }
            }
        }

        // Suspects routed clean now, remembered (as long as the tracker remembers suspects) so a later campaign can
        // take them back.
        for (int i = 0; i < samples.Count; i++)
        {
            if (!judging && fused[i] <= _options.Campaigns.SuspectLevel && !quarantine[i] && (grouping != CampaignGrouping.Caption || samples[i].TextEmbedding is not null) && _suspectsRoutedClean.Add(samples[i].Id))
            {
                _suspectOrder.Enqueue(samples[i].Id);
                while (_suspectOrder.Count > _options.Campaigns.Window && _suspectOrder.TryDequeue(out string? old))
                {
                    _suspectsRoutedClean.Remove(old);
                }
            }
        }

        return campaignOf;
    }

    private List<Verdict> ScoreConformal(List<StreamSample> samples, Matrix<float> m, QueryResult[] results)
    {
        ConformalCalibration calibration = _calibration!;
        int size = Reference.Count;
        long version = Reference.Version;
        double[] scores = [.. results.Select(r => r.Scores.Get(_options.Detector))];
        (double[] fused, bool[] quarantine) = Decide(calibration, samples, scores);

        // Neighbours are named before a campaign can revoke members (a revoked member's slot is freed).
        var neighbourIds = results.Select(r => r.Neighbors.Select(x => Reference.IdOfSlot(x.Slot)).ToList()).ToArray();
        string?[] campaignOf = Confirm(samples, m, results, fused, quarantine);

        // Who may enter: routed clean, not held out for calibration, over the floor here and against the frozen start.
        bool[] heldOut = [.. samples.Select(s => _pool!.Selects(s.Id))];
        // The guard (the frozen starting reference) judges the admission candidates and every held-out sample (pool below).
        var candidates = new List<int>();
        for (int i = 0; i < samples.Count; i++)
        {
            if ((!quarantine[i] && !heldOut[i] && fused[i] >= _options.AdmissionFloor) || heldOut[i])
            {
                candidates.Add(i);
            }
        }

        var guardP = new Dictionary<int, double>();
        if (_guard is not null && candidates.Count > 0)
        {
            var c = new Matrix<float>(candidates.Count, Dimension);
            for (int j = 0; j < candidates.Count; j++)
            {
                m.RowReadOnly(candidates[j]).CopyTo(c.Row(j));
            }

            long started = Stopwatch.GetTimestamp();
            double[] p = _guard.PValues(c);
            _guardTicks += Stopwatch.GetTimestamp() - started;
            for (int j = 0; j < candidates.Count; j++)
            {
                guardP[candidates[j]] = p[j];
            }
        }

        var verdicts = new List<Verdict>(samples.Count);
        var admit = new List<int>();
        for (int i = 0; i < samples.Count; i++)
        {
            StreamSample s = samples[i];
            string reason;
            if (campaignOf[i] is { } campaign)
            {
                reason = $"p = {fused[i]:G3}; member of {campaign}";
            }
            else if (quarantine[i])
            {
                reason = !double.IsNaN(_options.FalseDiscoveryRate)
                    ? $"p = {fused[i]:G3} rejected by Benjamini–Hochberg at FDR {_options.FalseDiscoveryRate:G3}"
                    : double.IsNaN(_options.BudgetConfidence)
                        ? $"p = {fused[i]:G3} at or below the false-quarantine rate {_options.FalseQuarantineRate:G3}"
                        : $"p = {fused[i]:G3} beyond the cut that holds the false-quarantine rate {_options.FalseQuarantineRate:G3} with confidence {_options.BudgetConfidence:G3}";
            }
            else if (heldOut[i])
            {
                reason = $"p = {fused[i]:G3}; held out for calibration";
            }
            else if (!(fused[i] >= _options.AdmissionFloor))
            {
                // A NaN p-value (nothing to calibrate on) never admits.
                reason = $"p = {fused[i]:G3}; below the admission floor {_options.AdmissionFloor:G3}, not admitted";
                HeldBelowFloor++;
            }
            else if (guardP.TryGetValue(i, out double g) && g < _options.AdmissionFloor)
            {
                reason = $"p = {fused[i]:G3}; p = {g:G3} against the starting reference, below the admission floor, not admitted";
                HeldBelowFloor++;
            }
            else
            {
                reason = $"p = {fused[i]:G3}; offered to the reference";
                admit.Add(i);
            }

            verdicts.Add(new Verdict(
                s.Id, quarantine[i] ? Route.Quarantine : Route.Clean, scores[i], _detectorName, _options.Reference.K, size, version, _options.ModelVersion,
                Threshold, reason, neighbourIds[i], results[i].Neighbors.Select(x => x.Distance).ToList(), fused[i], calibration.Version, campaignOf[i]));
        }

        // The calibration share joins the pool unless the guard (the frozen starting reference) finds it extreme: p at
        // or below the budget against the start, or it belongs to a confirmed campaign. Not by its route: a pool of
        // the samples routed clean lacks the clean tail the previous calibration cut off, so every new calibration
        // quarantines a little more than the last (measured on a clean synthetic stream whose pool turned over 20
        // times: 2.2 per mille for a 1 per mille budget at first, 5.7 at the end; with the guard 0.9-1.6, overall
        // 1.1), and the guard is fixed, so what it keeps out cannot compound. Pooling every held-out sample is exact
        // for clean streams but pools the poisons too: at a poisoning rate r above the budget a poison's p-value is
        // then about r times its rank among its kind (synthetic stream, 2 % planted outliers: recall 0.04).
        for (int i = 0; i < samples.Count; i++)
        {
            if (heldOut[i] && campaignOf[i] is null && !(guardP.TryGetValue(i, out double g) && g <= _options.FalseQuarantineRate))
            {
                _pool!.Add(samples[i].Id, samples[i].Embedding!, Disagreement(samples[i]), scores[i], samples[i].TextEmbedding, fused[i], version);
            }
        }

        // Admission happens after every sample of the batch was scored against the same reference version.
        Offer(admit.Select(i => samples[i]).ToList());

        if (_changesSinceCalibration >= _options.RecalibrateEvery || _pool!.AddedSinceCalibration >= 100)
        {
            Recalibrate();
        }

        return verdicts;
    }
}
