using System.Text;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// The clean samples p-values are calibrated on. Two kinds of entries:
/// <list type="bullet">
/// <item>held out: a fixed share of the samples routed clean (chosen by a hash of the id, so a replay chooses the
/// same ones) never enters the reference; each is scored as a novelty query against the reference, exactly as a
/// stream sample is, and re-scored when the reference has changed enough;</item>
/// <item>trusted: the members the reference started from (a trusted seed, or the bootstrap set), scored leave-one-out
/// (a member's score with itself removed is distributed as a new sample's); used only to fill the pool until enough
/// samples were held out, and dropped when they leave the reference.</item>
/// </list>
/// Held-out entries are kept first-in, first-out up to the capacity. A calibration holds as many scores as the larger
/// of the capacity and the trusted start: held-out entries first, trusted members filling the rest (a trusted member
/// costs no memory here, its score is the reference's own, so a seed larger than the capacity calibrates in full).
/// </summary>
public sealed class CalibrationPool
{
    private readonly LinkedList<HeldOut> _heldOut = new();
    private readonly Dictionary<string, LinkedListNode<HeldOut>> _heldOutById = [];
    // The trusted members in their given order (the calibration takes them in it), indexed by id for demotions.
    private readonly LinkedList<(string Id, double Disagreement)> _trusted = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, double Disagreement)>> _trustedById = new(StringComparer.Ordinal);
    // The held-out entries again, stalest score first: re-scoring takes them from the front and moves them to the back.
    private readonly LinkedList<HeldOut> _byAge = new();
    private readonly ulong _shareCut;
    // The trusted start's finite disagreements, sorted once (a pair's agreement does not change with the reference).
    private double[] _trustedAgreement = [];
    private ConformalCalibration? _last;
    private long _lastReferenceVersion = -1;

    public CalibrationPool(int capacity, double share, AgreementCalibration agreement = AgreementCalibration.HeldOut)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (share is < 0 or >= 1 || double.IsNaN(share))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "the held-out share must be in [0, 1)");
        }

        Capacity = capacity;
        Share = share;
        Agreement = agreement;
        _shareCut = (ulong)(share * ulong.MaxValue);
    }

    public int Capacity { get; }

    /// <summary>What the agreement signal calibrates on.</summary>
    public AgreementCalibration Agreement { get; }

    /// <summary>The trusted start's finite image–caption disagreements, frozen when it was set.</summary>
    public int TrustedAgreementCount => _trustedAgreement.Length;

    /// <summary>Share of the samples routed clean that are held out.</summary>
    public double Share { get; }

    public int HeldOutCount => _heldOut.Count;

    public int TrustedCount => _trusted.Count;

    /// <summary>How many trusted members the pool started with: a calibration holds max(capacity, this) scores.</summary>
    public int TrustedStart { get; private set; }

    /// <summary>Samples held out since the last <see cref="Calibrate"/>.</summary>
    public int AddedSinceCalibration { get; private set; }

    /// <summary>The reference version the stalest held-out score was computed against (-1 with no entry).</summary>
    public long OldestScoreVersion => _byAge.First?.Value.ScoredAt ?? -1;

    /// <summary>Held-out entries re-scored against the reference since the pool was made (one k-NN query each).</summary>
    public long Rescored { get; private set; }

    public bool Contains(string id) => _heldOutById.ContainsKey(id);

    /// <summary>True when the sample with this id is one the pool holds out (a stable hash of the id under the share).</summary>
    public bool Selects(string id) => Share > 0 && Fnv1a(id) < _shareCut;

    /// <summary>The members the reference started from, with their image–caption disagreement (NaN when unknown).</summary>
    public void SetTrusted(IEnumerable<(string Id, double Disagreement)> members)
    {
        _trusted.Clear();
        _trustedById.Clear();
        var agreement = new List<double>();
        foreach ((string Id, double Disagreement) member in members)
        {
            if (!_trustedById.ContainsKey(member.Id))
            {
                _trustedById[member.Id] = _trusted.AddLast(member);
                if (double.IsFinite(member.Disagreement))
                {
                    agreement.Add(member.Disagreement);
                }
            }
        }

        TrustedStart = _trusted.Count;
        _trustedAgreement = [.. agreement];
        Array.Sort(_trustedAgreement);
    }

    /// <summary>Holds out a sample routed clean; <paramref name="densityScore"/> is its score against the current reference.</summary>
    /// <param name="fusedP">Its fused p-value as routed (refreshed against every later calibration).</param>
    /// <param name="scoredAt">The reference version the score was computed against; -1 for the version the last calibration saw.</param>
    public void Add(string id, float[] image, double disagreement, double densityScore, float[]? caption = null, double fusedP = double.NaN, long scoredAt = -1)
    {
        if (_heldOutById.ContainsKey(id))
        {
            return;
        }

        var entry = new HeldOut(id, image, disagreement)
        {
            Score = densityScore,
            ScoredAt = scoredAt >= 0 ? scoredAt : Math.Max(0, _lastReferenceVersion),
            Caption = caption is null ? null : PairAgreement.Unit(caption),
            FusedP = fusedP,
            FusedWith = _last,
        };
        _heldOutById[id] = _heldOut.AddLast(entry);
        entry.AgeNode = _byAge.AddLast(entry);
        AddedSinceCalibration++;
        while (_heldOut.Count > Capacity)
        {
            HeldOut oldest = _heldOut.First!.Value;
            _heldOutById.Remove(oldest.Id);
            _heldOut.RemoveFirst();
            _byAge.Remove(oldest.AgeNode!);
        }
    }

    /// <summary>
    /// A trusted member leaves the reference (a re-score evicted it, or an admission replaced it in a full reference):
    /// it stays in the calibration as a held-out sample,
    /// scored from now on as a query against the reference. Dropping it would trim the calibration's tail, exactly
    /// where a budget of signals / (n + 1) reads its cut (measured: one evicted member, the largest leave-one-out score
    /// of a 2,048-member seed, halved the density threshold and doubled the clean quarantine rate, 1.28 to 2.33 per
    /// mille). False when the id is not a trusted member (the image is copied only for a trusted one).
    /// </summary>
    public bool Demote(string id, ReadOnlySpan<float> image, double densityScore, long scoredAt = -1)
    {
        if (!_trustedById.Remove(id, out LinkedListNode<(string Id, double Disagreement)>? node))
        {
            return false;
        }

        _trusted.Remove(node);
        Add(id, image.ToArray(), node.Value.Disagreement, densityScore, scoredAt: scoredAt);
        return true;
    }

    /// <summary>Takes a held-out sample back (an operator reject, a confirmed campaign).</summary>
    public bool Remove(string id)
    {
        if (!_heldOutById.Remove(id, out LinkedListNode<HeldOut>? node))
        {
            return false;
        }

        _heldOut.Remove(node);
        _byAge.Remove(node.Value.AgeNode!);
        return true;
    }

    /// <summary>
    /// A new calibration version. Held-out scores are kept fresh against the changing reference in slices: each entry
    /// is re-scored (one k-NN query) about once per <paramref name="refreshEvery"/> reference changes, the stalest
    /// first, so a call re-scores about (entries × changes since the last call / <paramref name="refreshEvery"/>) of them
    /// and every entry older than <paramref name="refreshEvery"/> changes. Re-scoring the whole pool at once every
    /// <paramref name="refreshEvery"/> changes cost the same queries but stalled the stream: 11,435 queries, 2.8 s in one
    /// micro-batch at |R| = 50,000 (docs/benchmarks.md). 0 re-scores every entry now, +∞ none.
    /// </summary>
    public ConformalCalibration Calibrate(ReferenceSet<float> reference, OutlierDetector detector, double refreshEvery, long version, int minimumSize)
    {
        if (!(refreshEvery >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(refreshEvery), refreshEvery, "the refresh interval must be at least 0");
        }

        long now = reference.Version;
        if (_byAge.Count > 0 && reference.IsReady)
        {
            Refresh(reference, detector, refreshEvery, now);
        }

        _lastReferenceVersion = now;
        AddedSinceCalibration = 0;
        int size = Math.Max(Capacity, TrustedStart);
        var density = new double[size];
        var agreement = new double[Agreement == AgreementCalibration.Trusted && _trustedAgreement.Length >= minimumSize ? 0 : size];
        int n = 0, a = 0;
        // Held-out entries first: there are at most Capacity of them, so all fit.
        foreach (HeldOut h in _heldOut)
        {
            density[n++] = h.Score;
            if (agreement.Length > 0)
            {
                agreement[a++] = h.Disagreement;
            }
        }

        // Trusted members fill what the held-out samples do not yet (newest held out first, so they are never crowded
        // out). The calibration holds max(capacity, trusted start) scores: with a budget of 1e-4 over two signals a
        // sample is quarantined only at a rank r with 2r / (n + 1) ≤ 1e-4, so at n = 25,000 only beyond every calibration
        // score; one extreme clean score, or one poison held out, then hides every copy below it (lab: copies at
        // p = 4 / 25,001 = 1.6e-4 routed clean although a 42,000-pair seed could place them at 9.5e-5). Trusted members
        // that left the reference without a demotion (revoked, rejected) no longer calibrate.
        for (LinkedListNode<(string Id, double Disagreement)>? node = _trusted.First; node is not null;)
        {
            LinkedListNode<(string Id, double Disagreement)>? next = node.Next;
            if (!reference.TryGetMemberScores(node.Value.Id, out OutlierScores scores))
            {
                _trustedById.Remove(node.Value.Id);
                _trusted.Remove(node);
            }
            else if (n < size)
            {
                density[n++] = scores.Get(detector);
                if (agreement.Length > 0)
                {
                    agreement[a++] = node.Value.Disagreement;
                }
            }

            node = next;
        }

        // The agreement of a pair does not depend on the reference: with a trusted start that has captions, its pairs
        // calibrate the signal for good (also those that have left the reference), and a poison routed clean and held
        // out never enters it. Measured (lab, Blend at 1 %, 24,000 trusted pairs): with held-out samples 24 copies
        // entered the agreement calibration and hid the rest, recall 0.54; docs/detection-results.md.
        double[] sortedDensity = ConformalCalibration.SortFinite(density, n);
        _last = ConformalCalibration.FromSorted(version, sortedDensity, agreement.Length == 0 ? _trustedAgreement : ConformalCalibration.SortFinite(agreement, a), minimumSize);
        return _last;
    }

    private void Refresh(ReferenceSet<float> reference, OutlierDetector detector, double refreshEvery, long now)
    {
        // The quota spreads the work evenly; entries past the interval are re-scored whatever the quota.
        double changed = _lastReferenceVersion < 0 ? double.PositiveInfinity : now - _lastReferenceVersion;
        double share = refreshEvery == 0 ? 1 : double.IsPositiveInfinity(refreshEvery) ? 0 : Math.Min(1, changed / refreshEvery);
        int quota = (int)Math.Min(_byAge.Count, Math.Ceiling(_byAge.Count * share - 1e-9));
        var stale = new List<HeldOut>();
        for (LinkedListNode<HeldOut>? node = _byAge.First; node is not null; node = node.Next)
        {
            if (stale.Count >= quota && now - node.Value.ScoredAt < refreshEvery)
            {
                break;
            }

            stale.Add(node.Value);
        }

        if (stale.Count == 0)
        {
            return;
        }

        var m = new Matrix<float>(stale.Count, reference.Model.Dimension);
        for (int i = 0; i < stale.Count; i++)
        {
            stale[i].Image.CopyTo(m.Row(i));
        }

        QueryResult[] results = reference.Score(m);
        for (int i = 0; i < stale.Count; i++)
        {
            HeldOut h = stale[i];
            h.Score = results[i].Scores.Get(detector);
            h.ScoredAt = now;
            _byAge.Remove(h.AgeNode!);
            _byAge.AddLast(h.AgeNode!);
        }

        Rescored += stale.Count;
    }

    /// <summary>
    /// How often a clean stream sample is a suspect (fused p ≤ <paramref name="suspectLevel"/>) with a caption within
    /// <paramref name="radius"/> (Euclidean, unit vectors) of a unit caption, estimated on the held-out samples: the share
    /// of them near the caption times the suspect rate among those. The rate is conditional on the caption, because the
    /// agreement signal (and a concept's images) make some caption concepts more often suspect than others; with few
    /// samples near the caption it leans on the overall level (a prior worth 20 samples), and a caption no held-out
    /// sample shares still gets one pseudo-sample, so it is never taken for impossible.
    /// </summary>
    public double CaptionSuspectRateNear(float[] unitCaption, double radius, double suspectLevel)
    {
        ArgumentNullException.ThrowIfNull(unitCaption);
        const double prior = 20;
        float r2 = (float)(radius * radius);
        int with = 0, near = 0, suspects = 0;
        foreach (HeldOut h in _heldOut)
        {
            if (h.Caption is { } c && c.Length == unitCaption.Length)
            {
                with++;
                if (2 - (2 * System.Numerics.Tensors.TensorPrimitives.Dot(c, unitCaption)) <= r2)
                {
                    near++;
                    suspects += FusedP(h) <= suspectLevel ? 1 : 0;
                }
            }
        }

        double share = (near + 1.0) / (with + 1.0);
        double rate = (suspects + (suspectLevel * prior)) / (near + prior);
        return share * rate;
    }

    /// <summary>A held-out entry's fused p-value against the latest calibration (computed when first asked for).</summary>
    private double FusedP(HeldOut h)
    {
        if (_last is not null && !ReferenceEquals(h.FusedWith, _last))
        {
            h.FusedP = PValues.Fuse(_last.DensityP(h.Score), _last.AgreementP(h.Disagreement));
            h.FusedWith = _last;
        }

        return h.FusedP;
    }

    private static ulong Fnv1a(string id)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(id))
        {
            h = (h ^ b) * 1099511628211UL;
        }

        // FNV's low bits mix poorly for short keys; a final avalanche (SplitMix64's) spreads them over the range.
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }

    private sealed class HeldOut(string id, float[] image, double disagreement)
    {
        public string Id { get; } = id;

        public float[] Image { get; } = image;

        public double Disagreement { get; } = disagreement;

        public double Score { get; set; }

        public float[]? Caption { get; init; }

        public double FusedP { get; set; } = double.NaN;

        /// <summary>The calibration <see cref="FusedP"/> was read against (null: as routed, before any).</summary>
        public ConformalCalibration? FusedWith { get; set; }

        public long ScoredAt { get; set; }

        public LinkedListNode<HeldOut>? AgeNode { get; set; }
    }
}
