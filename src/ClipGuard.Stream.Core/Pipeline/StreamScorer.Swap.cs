using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Pipeline;

// The model hot swap: the reference starts over in a new checkpoint's space, seeded from its own members re-embedded.
public sealed partial class StreamScorer
{
    /// <summary>
    /// Moves the scorer into a new embedding model's space without a restart. <paramref name="ids"/> are current
    /// members (in any order) whose images and captions the new model embedded; they become the new reference, trusted
    /// for calibration like a seed (they were cleared by the filter before), the admission guard is rebuilt on them,
    /// and campaign state starts over (its captions and image vectors lived in the old space). Then a full re-score
    /// runs in the new space, so members that only the new model sees as outliers (a trigger it learned) leave at once.
    /// Members that were not re-embedded and the hold-back's waiting samples are dropped: they were routed clean
    /// already and are not re-decided here (the caller re-judges its provisional window with <see cref="Judge"/>). Must
    /// run on the thread that decides batches; not under replicated admission (every replica's log would have to move
    /// at once).
    /// </summary>
    /// <param name="trusted">The members that calibrate and guard in the new space (the operator's seed); null: all of
    /// <paramref name="ids"/>. Carried members outside it are reference members only, so a re-score that evicts them
    /// (the new model sees them as poisons) leaves the calibration untouched, while an evicted trusted member keeps
    /// calibrating (<see cref="CalibrationPool.Demote"/>).</param>
    public ModelSwapReport SwapModel(string modelVersion, IReadOnlyList<string> ids, Matrix<float> images, Matrix<float>? captions, IReadOnlySet<string>? trusted = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelVersion);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(images);
        if (ReplicatedAdmission)
        {
            throw new InvalidOperationException("a model swap under replicated admission is not supported: every replica's reference log would have to move at once");
        }

        if (Bootstrapping)
        {
            throw new InvalidOperationException("no reference to move before the bootstrap completes");
        }

        if (images.Cols != Dimension || images.Rows != ids.Count)
        {
            throw new ScoringInputException($"the re-embedded members are {images.Rows} x {images.Cols} for {ids.Count} ids; the stream expects d = {Dimension}");
        }

        if (captions is not null && (captions.Rows != images.Rows || captions.Cols != images.Cols))
        {
            throw new ScoringInputException($"the re-embedded captions are {captions.Rows} x {captions.Cols}, the images {images.Rows} x {images.Cols}");
        }

        if (ids.Count <= _options.Reference.K)
        {
            throw new ScoringInputException($"only {ids.Count} members were re-embedded; the new reference needs more than k = {_options.Reference.K}");
        }

        int before = Reference.Count, waiting = Reference.WaitingInHoldBack;
        string? previous = _options.ModelVersion;
        var sources = ids.Select(Reference.SourceOf).ToList();
        var moved = new ReferenceSet<float>(Dimension, _options.Reference) { ModelVersion = modelVersion };
        moved.Seed(ids, sources, images);
        Reference = moved;
        _options.ModelVersion = modelVersion;
        _pool = null;
        _calibration = null;
        _guard = null;
        _campaigns = null;
        _suspectsRoutedClean.Clear();
        _suspectOrder.Clear();
        if (Conformal)
        {
            int[] rows = [.. Enumerable.Range(0, ids.Count).Where(i => trusted is null || trusted.Contains(ids[i]))];
            if (rows.Length <= _options.Reference.K)
            {
                rows = [.. Enumerable.Range(0, ids.Count)];   // too few trusted to calibrate on: every carried member calibrates
            }

            Matrix<float> calibrating = images.SelectRows(rows);

            double[] disagreement = [.. rows.Select(i => captions is null || !_options.UseAgreement ? double.NaN : PairAgreement.Disagreement(images.RowReadOnly(i), captions.RowReadOnly(i)))];
            StartConformal([.. rows.Select(i => ids[i])], disagreement, calibrating);
        }

        Recalibrate();
        RescoreReport rescore = Rescore();
        return new ModelSwapReport(previous, modelVersion, before, waiting, ids.Count, rescore.Evicted, Reference.Count, Threshold);
    }

    /// <summary>
    /// A scorer in this scorer's space, with its options, started on <paramref name="ids"/> as its trusted seed: the
    /// judge of a sentinel's provisional window. The window is the sentinel's training data, so it is judged against
    /// seed pairs the sentinel also trained on (reference, calibration, guard and campaigns all from them), not against
    /// the pairs it never saw that calibrate the stream's arrivals (docs/sentinel.md, "Judging what the sentinel
    /// trained on"). Nothing it judges is admitted; it is dropped after the judgement.
    /// </summary>
    public StreamScorer ForJudging(IReadOnlyList<string> ids, Matrix<float> images, Matrix<float>? captions)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(images);
        if (ids.Count <= _options.Reference.K)
        {
            throw new ScoringInputException($"only {ids.Count} pairs to judge against; a judge needs more than k = {_options.Reference.K}");
        }

        var judge = new StreamScorer(Dimension, _options.Copy());
        judge.Seed(ids, images, captions);
        return judge;
    }

    /// <summary>
    /// Judges samples that were routed earlier against the current reference and calibration, without deciding or
    /// admitting them: the provisional window's re-judgement after a swap. Samples that are members of the reference
    /// are left out (their own vector would be their nearest neighbour; a full re-score judges them leave-one-out).
    /// Under the conformal rule with campaigns, the judged suspects also go through campaign confirmation, in the order
    /// given (pass them in arrival order): a campaign the new model shows among them quarantines all its members with
    /// its id, and stays known to the tracker, so later stream samples join it. Judged samples are not remembered as
    /// revocable (they are routed already; what the caller recalls is what is returned here). Returns one judgement per
    /// judged sample, in input order.
    /// </summary>
    /// <param name="samples">The samples to judge, in arrival order.</param>
    /// <param name="quarantined">Ids among <paramref name="samples"/> that are quarantined already (on arrival, or by an
    /// earlier recall): they are scored and grouped like the others, so a campaign the new model shows among them and
    /// the clean samples is found from all its copies, but they get no judgement (nothing to recall). Without them a
    /// judgement sees only the copies the arrival verdicts let through, often too few to confirm their campaign.</param>
    public IReadOnlyList<Judgement> Judge(IReadOnlyList<StreamSample> samples, IReadOnlySet<string>? quarantined = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var valid = samples.Where(s => s.IsValid && s.Embedding!.Length == Dimension && !Reference.Contains(s.Id)).ToList();
        if (valid.Count == 0 || Bootstrapping)
        {
            return [];
        }

        Matrix<float> m = ToMatrix(valid);
        QueryResult[] results = Reference.Score(m);
        double[] scores = [.. results.Select(r => r.Scores.Get(_options.Detector))];
        if (Conformal && _calibration is { } calibration)
        {
            (double[] fused, bool[] quarantine) = Decide(calibration, valid, scores);
            string?[] campaignOf = Confirm(valid, m, results, fused, quarantine, judging: true);
            return Reported(valid.Select((s, i) => new Judgement(s.Id, scores[i], fused[i], quarantine[i]) { Campaign = campaignOf[i] }));
        }

        return Reported(valid.Select((s, i) => new Judgement(s.Id, scores[i], double.NaN, scores[i] > Threshold)));

        // The samples quarantined already were judged as evidence only: nothing of theirs is returned.
        List<Judgement> Reported(IEnumerable<Judgement> all) => [.. all.Where(j => quarantined?.Contains(j.SampleId) != true)];
    }
}

/// <summary>A routed sample judged again: its density score, fused p-value (NaN without the conformal rule), and whether the current model would quarantine it.</summary>
public sealed record Judgement(string SampleId, double Score, double PValue, bool Quarantine)
{
    /// <summary>The campaign the judgement found the sample in (null: none; quarantined, if at all, by the budget rule).</summary>
    public string? Campaign { get; init; }
}

/// <summary>What a model swap did to the reference.</summary>
/// <param name="PreviousModel">The model label verdicts carried before.</param>
/// <param name="Model">The new model's label.</param>
/// <param name="MembersBefore">Members in the old space.</param>
/// <param name="WaitingDropped">Hold-back samples dropped (routed clean, never admitted).</param>
/// <param name="Reembedded">Members the new model embedded (the new seed).</param>
/// <param name="Evicted">Members the new space's full re-score evicted.</param>
/// <param name="MembersAfter">Members after the re-score.</param>
/// <param name="Threshold">The density threshold calibrated in the new space.</param>
public sealed record ModelSwapReport(string? PreviousModel, string Model, int MembersBefore, int WaitingDropped, int Reembedded, IReadOnlyList<string> Evicted, int MembersAfter, double Threshold);
