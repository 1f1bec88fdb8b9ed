using System.Diagnostics;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// Decides every sample of a micro-batch: score against the reference, compare with the threshold calibrated on the
/// reference's own leave-one-out scores, route. Samples routed clean are offered to the reference (hold-back first);
/// quarantined and dead-lettered samples never are. Until a reference exists, samples are buffered for the
/// leave-one-out bootstrap and get no verdict. No transport types: the Kafka worker feeds it and routes its verdicts.
/// </summary>
public sealed partial class StreamScorer
{
    private readonly StreamScorerOptions _options;
    private ReferenceSet<float> _reference = null!;
    private readonly string _detectorName;
    private readonly List<StreamSample> _bootstrap = [];
    private readonly List<StreamSample> _proposals = [];
    private long _changesSinceCalibration;
    private long _calibratedEpoch;

    public StreamScorer(int dimension, StreamScorerOptions options)
        : this(new ReferenceSet<float>(dimension, Validated(options).Reference), options)
    {
    }

    /// <summary>A scorer over a reference restored from a snapshot; calibrated on it at once when it is ready.</summary>
    public StreamScorer(ReferenceSet<float> reference, StreamScorerOptions options)
    {
        Validated(options);
        _options = options;
        Dimension = reference.Model.Dimension;
        Reference = reference;
        _detectorName = options.Detector.ToString().ToLowerInvariant();
        if (reference.IsReady)
        {
            Recalibrate();
        }
    }

    /// <summary>
    /// Replicated admission: the reference never changes from this replica's own verdicts. Samples routed clean are
    /// collected as proposals (<see cref="DrainProposals"/>) for the replicated log, and the reference changes only
    /// through the Apply methods, called with the log's records in offset order on every replica alike.
    /// </summary>
    public bool ReplicatedAdmission { get; init; }

    public int Dimension { get; }

    public string DetectorName => _detectorName;

    public ReferenceSet<float> Reference
    {
        get => _reference;
        private set
        {
            _reference = value;
            // A trusted member that retires (an admission replaces it, a re-score evicts it) keeps calibrating: the seed
            // is the only certainly clean calibration, and a full reference turns its members over (lab, 42,000-pair
            // seed: 1,248 of the 21,106 calibrating members gone within a minute of a swap, the budget unreachable again).
            value.Retiring = (id, vector, scores) => _pool?.Demote(id, vector, scores.Get(_options.Detector), value.Version);
        }
    }

    /// <summary>Current decision threshold (NaN until the reference is ready).</summary>
    public double Threshold { get; private set; } = double.NaN;

    /// <summary>True until a seed was loaded or the bootstrap buffer was decided.</summary>
    public bool Bootstrapping => !Reference.IsReady;

    public int BufferedForBootstrap => _bootstrap.Count;

    /// <summary>Samples the leave-one-out bootstrap waits for.</summary>
    public int BootstrapSize => _options.BootstrapSize;

    /// <summary>Loads a trusted seed reference (cold start option 1) and calibrates the threshold on it.</summary>
    /// <param name="captions">The seed's caption embeddings, row for row, when known: under the conformal rule they
    /// calibrate the image–caption agreement signal from the first sample on (otherwise it waits for held-out samples).</param>
    public void Seed(IReadOnlyList<string> ids, Matrix<float> vectors, Matrix<float>? captions = null)
    {
        if (captions is not null && (captions.Rows != vectors.Rows || captions.Cols != vectors.Cols))
        {
            throw new ScoringInputException($"the seed's captions are {captions.Rows} x {captions.Cols}, its images {vectors.Rows} x {vectors.Cols}");
        }

        if (vectors.Cols != Dimension)
        {
            throw new ScoringInputException($"the seed reference has d = {vectors.Cols}, the stream expects d = {Dimension}");
        }

        Reference.Seed(ids, Enumerable.Repeat<string?>("seed", ids.Count).ToList(), vectors);
        if (Conformal)
        {
            double[] disagreement = [.. ids.Select((_, i) => captions is null || !_options.UseAgreement ? double.NaN : PairAgreement.Disagreement(vectors.RowReadOnly(i), captions.RowReadOnly(i)))];
            StartConformal(ids, disagreement, vectors);
        }

        Recalibrate();
    }

    /// <summary>
    /// Decides a batch. Returns one verdict per sample in input order, except while bootstrapping: valid samples are
    /// then buffered and their verdicts come (in arrival order) from the call that completes the bootstrap.
    /// Invalid samples always get their dead-letter verdict at once.
    /// </summary>
    public IReadOnlyList<Verdict> Decide(IReadOnlyList<StreamSample> batch)
    {
        var verdicts = new List<Verdict>(batch.Count);
        var valid = new List<StreamSample>(batch.Count);
        foreach (StreamSample s in batch)
        {
            if (!s.IsValid)
            {
                verdicts.Add(Verdict.DeadLetter(s.Id, _detectorName, _options.Reference.K, _options.ModelVersion, $"{s.RejectCode}: {s.RejectReason}"));
            }
            else if (s.Embedding!.Length != Dimension)
            {
                verdicts.Add(Verdict.DeadLetter(s.Id, _detectorName, _options.Reference.K, _options.ModelVersion, $"wrong_embedding_size: {s.Embedding.Length}, expected {Dimension}"));
            }
            else
            {
                valid.Add(s);
            }
        }

        if (Bootstrapping)
        {
            _bootstrap.AddRange(valid);
            if (_bootstrap.Count >= _options.BootstrapSize)
            {
                verdicts.AddRange(CompleteBootstrap());
            }

            return verdicts;
        }

        verdicts.AddRange(Score(valid));
        return verdicts;
    }

    /// <summary>
    /// Cold start option 2: the buffered samples are scored leave-one-out among themselves, the threshold is the
    /// configured quantile of those scores, samples under it are routed clean and become the first reference (the
    /// bootstrap set is the hold-back here: nothing was admitted before all of it was scored), the rest quarantined.
    /// </summary>
    public IReadOnlyList<Verdict> CompleteBootstrap()
    {
        var distinct = _bootstrap.DistinctBy(s => s.Id).ToList();
        Matrix<float> m = ToMatrix(distinct);

        (DensityModel<float> model, int[] slotOfRow) = BatchScorer.Build(m, _options.Reference.K, _options.Reference.Metric, _options.Reference.Threads);
        var rowOfSlot = new Dictionary<int, int>();
        for (int i = 0; i < slotOfRow.Length; i++)
        {
            rowOfSlot.TryAdd(slotOfRow[i], i);
        }

        double[] scores = slotOfRow.Select(slot => model.MemberScores(slot).Get(_options.Detector)).ToArray();
        // The bootstrap set is not known to be clean, so it cannot calibrate conformal p-values (a few percent of
        // poison among its scores make every poison's p-value large): under every rule it is decided by the robust z,
        // which a few percent of contamination does not move. Its clean members then seed the conformal pool.
        double threshold = double.IsNaN(_options.FixedThreshold) ? Calibrate(scores) : _options.FixedThreshold;
        var cleanIds = new List<string>();
        var cleanRows = new List<int>();
        for (int i = 0; i < distinct.Count; i++)
        {
            if (scores[i] <= threshold)
            {
                cleanIds.Add(distinct[i].Id);
                cleanRows.Add(i);
            }
        }

        var seed = new Matrix<float>(cleanRows.Count, Dimension);
        for (int j = 0; j < cleanRows.Count; j++)
        {
            m.RowReadOnly(cleanRows[j]).CopyTo(seed.Row(j));
        }

        Reference.Seed(cleanIds, cleanRows.Select(r => distinct[r].Source).ToList(), seed);
        if (Conformal)
        {
            StartConformal(cleanIds, [.. cleanRows.Select(r => Disagreement(distinct[r]))], seed);
        }

        Recalibrate();
        var byId = distinct.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var verdicts = new List<Verdict>(_bootstrap.Count);
        foreach (StreamSample s in _bootstrap)
        {
            int i = byId[s.Id];
            bool clean = scores[i] <= threshold;
            ReadOnlySpan<Neighbor> neighbors = model.Neighbors(slotOfRow[i]);
            var neighborIds = new List<string>(neighbors.Length);
            var neighborDistances = new List<double>(neighbors.Length);
            foreach (Neighbor n in neighbors)
            {
                neighborIds.Add(distinct[rowOfSlot[n.Slot]].Id);
                neighborDistances.Add(n.Distance);
            }

            verdicts.Add(new Verdict(
                s.Id, clean ? Route.Clean : Route.Quarantine, scores[i], _detectorName, _options.Reference.K, distinct.Count, Reference.Version,
                _options.ModelVersion, threshold, clean ? "bootstrap: below threshold" : "bootstrap: leave-one-out score above threshold",
                neighborIds, neighborDistances));
        }

        _bootstrap.Clear();
        return verdicts;
    }

    private List<Verdict> Score(List<StreamSample> samples)
    {
        var verdicts = new List<Verdict>(samples.Count);
        if (samples.Count == 0)
        {
            return verdicts;
        }

        Matrix<float> m = ToMatrix(samples);

        long started = Stopwatch.GetTimestamp();
        QueryResult[] results = Reference.Score(m, [.. samples.Select(s => s.Id)]);
        _queryTicks += Stopwatch.GetTimestamp() - started;
        if (Conformal)
        {
            return ScoreConformal(samples, m, results);
        }

        int size = Reference.Count;
        long version = Reference.Version;
        double threshold = Threshold;
        for (int i = 0; i < samples.Count; i++)
        {
            StreamSample s = samples[i];
            double score = results[i].Scores.Get(_options.Detector);
            bool clean = score <= threshold;
            Neighbor[] n = results[i].Neighbors;
            verdicts.Add(new Verdict(
                s.Id, clean ? Route.Clean : Route.Quarantine, score, _detectorName, _options.Reference.K, size, version, _options.ModelVersion,
                threshold, clean ? "score at or below threshold" : "score above threshold",
                n.Select(x => Reference.IdOfSlot(x.Slot)).ToList(), n.Select(x => x.Distance).ToList()));
        }

        // Admission happens after every sample of the batch was scored against the same reference version.
        Offer(samples.Where((_, i) => verdicts[i].Route == Route.Clean).ToList());

        if (_changesSinceCalibration >= _options.RecalibrateEvery)
        {
            Recalibrate();
        }

        return verdicts;
    }

    /// <summary>
    /// The periodic full re-score (docs/detection.md): measures how far the incremental state drifted from an exact
    /// recomputation, repairs it, evicts members whose exact leave-one-out score is now over the threshold (poison that
    /// slipped in can only hide while it is in the reference), and recalibrates. Must run on the thread that decides
    /// batches: the reference is not shared between threads.
    /// With <see cref="ReplicatedAdmission"/> nothing is evicted here: the report lists the members to evict, the
    /// caller publishes their tombstones and a recalibration record, and every replica applies them in log order.
    /// </summary>
    public RescoreReport Rescore()
    {
        if (Bootstrapping)
        {
            throw new InvalidOperationException("no reference to re-score before the bootstrap completes");
        }

        DriftReport drift = Reference.Model.MeasureDrift();
        Reference.Model.RebuildExact();
        double before = Threshold;
        var members = Reference.MemberIds.ToList();
        double[] memberScores = [.. members.Select(id => Reference.MemberScores(id).Get(_options.Detector))];
        // Under the conformal rule the cut on members is the robust z of their own leave-one-out scores, as in the
        // bootstrap: a reference that poisons reached cannot calibrate p-values against itself (its poisons are part of
        // the tail a budget would be measured on), and a few percent of contamination does not move the robust z.
        double cut = Conformal ? Calibrate(memberScores) : before;
        var evictRows = Enumerable.Range(0, members.Count).Where(i => memberScores[i] > cut).ToList();
        var evict = evictRows.ConvertAll(i => members[i]);
        if (ReplicatedAdmission)
        {
            // Never below k + 1 members once applied (the stream needs a reference to score against).
            int keep = Math.Max(0, Reference.Count - (_options.Reference.K + 1));
            return new RescoreReport(drift, evict.Take(keep).ToList(), before, Threshold, Reference.Version, members.Count);
        }

        foreach (int i in evictRows)
        {
            string id = members[i];
            // Never below k + 1 distinct points: the stream would have no reference to score against.
            if (Reference.Model.Count <= _options.Reference.K + 1)
            {
                break;
            }

            // A trusted calibration member keeps calibrating, as a held-out sample (the Retiring hook above).
            Reference.Retire(id);
        }

        Recalibrate();
        return new RescoreReport(drift, evict.Where(id => !Reference.Contains(id)).ToList(), before, Threshold, Reference.Version, members.Count);
    }

    /// <summary>Scores samples against the current reference without deciding or admitting them (release candidates).</summary>
    public IReadOnlyList<(string Id, double Score, bool WouldPass)> Rescore(IReadOnlyList<StreamSample> samples)
    {
        var valid = samples.Where(s => s.IsValid && s.Embedding!.Length == Dimension).ToList();
        if (valid.Count == 0 || Bootstrapping)
        {
            return [];
        }

        Matrix<float> m = ToMatrix(valid);

        QueryResult[] results = Reference.Score(m);
        if (Conformal && _calibration is { } calibration)
        {
            double[] scores = [.. results.Select(r => r.Scores.Get(_options.Detector))];
            (_, bool[] quarantine) = Decide(calibration, valid, scores);
            return valid.Select((s, i) => (s.Id, scores[i], !quarantine[i])).ToList();
        }

        return valid.Select((s, i) =>
        {
            double score = results[i].Scores.Get(_options.Detector);
            return (s.Id, score, score <= Threshold);
        }).ToList();
    }

    /// <summary>
    /// Samples cleared for the reference: proposed to the replicated log under replicated admission, otherwise offered
    /// together to the local reference's hold-back (its admissions count towards the next recalibration).
    /// </summary>
    private void Offer(IReadOnlyList<StreamSample> cleared)
    {
        if (ReplicatedAdmission)
        {
            _proposals.AddRange(cleared);
        }
        else if (cleared.Count > 0)
        {
            long started = Stopwatch.GetTimestamp();
            _changesSinceCalibration += Reference.OfferCleared(cleared.Select(x => (x.Id, x.Source, x.Embedding!)).ToList()).Count(x => x.Outcome == OfferOutcome.Admitted);
            _admitTicks += Stopwatch.GetTimestamp() - started;
        }
    }

    /// <summary>The embeddings of valid samples (checked to have <see cref="Dimension"/> values) as matrix rows.</summary>
    private Matrix<float> ToMatrix(IReadOnlyList<StreamSample> samples)
    {
        var m = new Matrix<float>(samples.Count, Dimension);
        for (int i = 0; i < samples.Count; i++)
        {
            samples[i].Embedding.AsSpan().CopyTo(m.Row(i));
        }

        return m;
    }

    /// <summary>Sets the threshold: the conformal calibration, or the configured quantile of the members' maintained leave-one-out scores.</summary>
    private void RecalibrateNow()
    {
        _changesSinceCalibration = 0;
        _calibratedEpoch = Reference.Version / _options.RecalibrateEvery;
        if (!double.IsNaN(_options.FixedThreshold))
        {
            Threshold = _options.FixedThreshold;
            return;
        }

        if (Conformal)
        {
            RecalibrateConformal();
            return;
        }

        double[] scores = Reference.Model.Store.ActiveSlots().Select(s => Reference.Model.MemberScores(s).Get(_options.Detector)).ToArray();
        Threshold = Calibrate(scores);
    }

    private double Calibrate(double[] scores)
    {
        if (_options.ThresholdRule == ThresholdRule.Quantile)
        {
            return Quantile(scores, _options.ThresholdQuantile);
        }

        // Scores are positive and right-skewed; the log makes the inlier bulk roughly symmetric.
        double[] logs = scores.Select(s => Math.Log(Math.Max(s, double.Epsilon))).ToArray();
        double median = Quantile(logs, 0.5);
        double mad = Quantile(logs.Select(l => Math.Abs(l - median)).ToArray(), 0.5);
        return Math.Exp(median + (_options.ThresholdZ * 1.4826 * mad));
    }

    private static StreamScorerOptions Validated(StreamScorerOptions options)
    {
        options.Validate();
        return options;
    }

    /// <summary>Linear-interpolated quantile (NumPy's default method).</summary>
    public static double Quantile(double[] values, double q)
    {
        double[] sorted = values.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }
}
