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
    private readonly ulong _shareCut;
    private double[] _trustedAgreement = [];

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

    /// <summary>Reference version the held-out entries were last all scored against.</summary>
    public long ScoredAtVersion { get; private set; } = -1;

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
    }

    /// <summary>Holds out a sample routed clean; <paramref name="densityScore"/> is its score against the current reference.</summary>
    /// <param name="fusedP">Its fused p-value as routed (refreshed at every calibration).</param>
    public void Add(string id, float[] image, double disagreement, double densityScore, float[]? caption = null, double fusedP = double.NaN)
    {
        if (_heldOutById.ContainsKey(id))
        {
            return;
        }

        _heldOutById[id] = _heldOut.AddLast(new HeldOut(id, image, disagreement) { Score = densityScore, Caption = caption is null ? null : PairAgreement.Unit(caption), FusedP = fusedP });
        AddedSinceCalibration++;
        while (_heldOut.Count > Capacity)
        {
            _heldOutById.Remove(_heldOut.First!.Value.Id);
            _heldOut.RemoveFirst();
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
    public bool Demote(string id, ReadOnlySpan<float> image, double densityScore)
    {
        if (!_trustedById.Remove(id, out LinkedListNode<(string Id, double Disagreement)>? node))
        {
            return false;
        }

        _trusted.Remove(node);
        Add(id, image.ToArray(), node.Value.Disagreement, densityScore);
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
        return true;
    }

    /// <summary>
    /// A new calibration version. With <paramref name="rescore"/> every held-out entry is scored again against the
    /// reference as it is now; otherwise each keeps the score it got when it arrived or was last re-scored.
    /// </summary>
    public ConformalCalibration Calibrate(ReferenceSet<float> reference, OutlierDetector detector, bool rescore, long version, int minimumSize)
    {
        if (rescore && _heldOut.Count > 0 && reference.IsReady)
        {
            var m = new Matrix<float>(_heldOut.Count, reference.Model.Dimension);
            int row = 0;
            foreach (HeldOut h in _heldOut)
            {
                h.Image.CopyTo(m.Row(row++));
            }

            QueryResult[] results = reference.Score(m);
            row = 0;
            foreach (HeldOut h in _heldOut)
            {
                h.Score = results[row++].Scores.Get(detector);
            }
        }

        if (rescore)
        {
            ScoredAtVersion = reference.Version;
        }

        AddedSinceCalibration = 0;
        var density = new List<double>(Capacity);
        var agreement = new List<double>(Capacity);
        foreach (HeldOut h in _heldOut)
        {
            density.Add(h.Score);
            agreement.Add(h.Disagreement);
        }

        // Trusted members that left the reference without a demotion (revoked, rejected) no longer calibrate.
        for (LinkedListNode<(string Id, double Disagreement)>? node = _trusted.First; node is not null;)
        {
            LinkedListNode<(string Id, double Disagreement)>? next = node.Next;
            if (!reference.Contains(node.Value.Id))
            {
                _trustedById.Remove(node.Value.Id);
                _trusted.Remove(node);
            }

            node = next;
        }

        // Trusted members fill what the held-out samples do not yet (newest held out first, so they are never crowded
        // out). The calibration holds max(capacity, trusted start) scores: with a budget of 1e-4 over two signals a
        // sample is quarantined only at a rank r with 2r / (n + 1) ≤ 1e-4, so at n = 25,000 only beyond every calibration
        // score; one extreme clean score, or one poison held out, then hides every copy below it (lab: copies at
        // p = 4 / 25,001 = 1.6e-4 routed clean although a 42,000-pair seed could place them at 9.5e-5).
        foreach ((string id, double disagreement) in _trusted.Take(Math.Max(0, Math.Max(Capacity, TrustedStart) - _heldOut.Count)))
        {
            density.Add(reference.MemberScores(id).Get(detector));
            agreement.Add(disagreement);
        }

        // The agreement of a pair does not depend on the reference: with a trusted start that has captions, its pairs
        // calibrate the signal for good (also those that have left the reference), and a poison routed clean and held
        // out never enters it. Measured (lab, Blend at 1 %, 24,000 trusted pairs): with held-out samples 24 copies
        // entered the agreement calibration and hid the rest, recall 0.54; docs/detection-results.md.
        bool trustedAgreement = Agreement == AgreementCalibration.Trusted && _trustedAgreement.Length >= minimumSize;
        var calibration = new ConformalCalibration(version, density, trustedAgreement ? _trustedAgreement : agreement, minimumSize);
        foreach (HeldOut h in _heldOut)
        {
            h.FusedP = PValues.Fuse(calibration.DensityP(h.Score), calibration.AgreementP(h.Disagreement));
        }

        return calibration;
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
                    suspects += h.FusedP <= suspectLevel ? 1 : 0;
                }
            }
        }

        double share = (near + 1.0) / (with + 1.0);
        double rate = (suspects + (suspectLevel * prior)) / (near + prior);
        return share * rate;
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
    }
}
