using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Reference;

/// <summary>
/// The poison-resistant reference: only cleared samples are offered, each waits out a hold-back, enters by reservoir
/// lottery or sliding window under a capacity and a per-source cap, and can be revoked or evicted. Every member's
/// density state is maintained exactly by the <see cref="DensityModel{T}"/> underneath; every change bumps the version
/// and is recorded for replication.
/// </summary>
public sealed class ReferenceSet<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const string NoSource = "";
    private readonly ReferenceSetOptions _options;
    private readonly Dictionary<string, Member> _members = [];
    // The ids admitted at each geometry slot, in admission order: the id itself when there is one (almost always), a
    // list of them when exact duplicates share the slot. Indexed by slot (8 bytes a member, against ~40 for a dictionary
    // entry with its growth slack); offers admitted within one batch wait under negative placeholder slots until the
    // batch's points enter the geometry.
    private object?[] _idsAtSlot = [];
    private readonly Dictionary<int, object> _idsDeferred = [];
    private readonly ArrivalOrder _arrival;
    private readonly Queue<Pending> _holdBack = new();
    private readonly Dictionary<string, Pending> _waiting = [];
    private readonly List<ReferenceChange> _changes = [];
    private long _eligibleSeen;
    private List<Pending?>? _deferred;
    private readonly List<int> _deferredRemovals = [];
    // The searches of scored samples, kept until they are offered (DensityModel.Scans.cs); oldest dropped first.
    private readonly Dictionary<string, DensityModel<T>.AdmissionScan> _scans = new(StringComparer.Ordinal);
    private readonly Queue<string> _scanOrder = new();

    public ReferenceSet(int dimension, ReferenceSetOptions options)
    {
        options.Validate();
        _options = options;
        _arrival = new ArrivalOrder((id, position) => _members[id] = _members[id] with { Arrival = position });
        Model = new DensityModel<T>(dimension, options.K, options.Metric, threads: options.Threads, initialCapacity: Math.Min(options.Capacity, 1 << 16), maxCapacity: options.Capacity);
    }

    public DensityModel<T> Model { get; }

    public ReferenceSetOptions Options => _options;

    /// <summary>Bumped by every admission and eviction; verdicts name the version they were scored against.</summary>
    public long Version { get; private set; }

    /// <summary>
    /// The next offset of the replicated reference log this state has not applied yet (0 when nothing was applied, or
    /// when the set is not replicated). Saved with snapshots, so a restart replays the log from here.
    /// </summary>
    public long LogPosition { get; set; }

    /// <summary>
    /// The embedding model whose space the vectors live in (a verdict's model label, e.g. <c>ViT-B-32@1a2b…</c>), or
    /// null when unknown. Saved with snapshots, so a restart under another checkpoint knows to re-embed.
    /// </summary>
    public string? ModelVersion { get; set; }

    /// <summary>Members (sample ids), duplicates counted.</summary>
    public int Count => _members.Count;

    public int WaitingInHoldBack => _waiting.Count;

    public bool IsReady => Model.IsReady;

    public bool Contains(string id) => _members.ContainsKey(id);

    public int SourceCount(string? source) => _arrival.CountOf(source ?? NoSource);

    public IEnumerable<string> MemberIds => _members.Keys;

    /// <summary>The source a member was admitted under (null when the id is not a member, or had none).</summary>
    public string? SourceOf(string id) => _members.TryGetValue(id, out Member m) && m.Source != NoSource ? m.Source : null;

    /// <summary>Cleared samples still in the hold-back (they may yet enter).</summary>
    public IEnumerable<string> WaitingIds => _waiting.Keys;

    /// <summary>Loads a trusted seed without hold-back or lottery (cold start), computing all state in one pass.</summary>
    public void Seed(IReadOnlyList<string> ids, IReadOnlyList<string?> sources, Matrix<T> vectors)
    {
        if (_members.Count > 0)
        {
            throw new InvalidOperationException("the reference set is not empty");
        }

        if (vectors.Rows > _options.Capacity)
        {
            throw new ScoringInputException($"the seed has {vectors.Rows} rows, more than the capacity {_options.Capacity}");
        }

        Model.Reserve(vectors.Rows);
        _members.EnsureCapacity(vectors.Rows);   // no growth slack for the seed's entries (a full reference keeps them)
        int[] slots = Model.BulkLoad(MetricSpace.Prepare(vectors, _options.Metric));
        for (int i = 0; i < ids.Count; i++)
        {
            Record(ids[i], sources[i], slots[i]);
        }

        // For Algorithm R the seed is the first n items of the stream: without counting them, a full seeded reference
        // would admit every new sample (probability capacity / seen > 1) until the stream had caught up.
        _eligibleSeen = ids.Count;
    }

    /// <summary>
    /// Offers a sample the router cleared. It joins the hold-back; the oldest waiting samples beyond the hold-back
    /// length are decided now. Returns what became of the samples decided by this call.
    /// </summary>
    public IReadOnlyList<(string Id, OfferOutcome Outcome)> OfferCleared(string id, string? source, ReadOnlySpan<T> rawVector) =>
        OfferCleared([(id, source, rawVector.ToArray())]);

    /// <summary>
    /// Offers samples the router cleared, in order: the same decisions, members, arrival order and scores as offering
    /// them one by one, but the admissions decided here enter the geometry together, in one blocked pass over the
    /// reference instead of one pass each (<see cref="DensityModel{T}.InsertMany"/>), after the call's evictions
    /// (<see cref="DensityModel{T}.RemoveMany"/>); an admission that a later decision of the same call evicts never
    /// enters the geometry.
    /// </summary>
    public IReadOnlyList<(string Id, OfferOutcome Outcome)> OfferCleared(IReadOnlyList<(string Id, string? Source, T[] RawVector)> samples)
    {
        var decided = new List<(string, OfferOutcome)>();
        _deferred = [];
        try
        {
            foreach ((string id, string? source, T[] rawVector) in samples)
            {
                if (_members.ContainsKey(id) || _waiting.ContainsKey(id))
                {
                    decided.Add((id, OfferOutcome.AlreadyKnown));
                    continue;
                }

                var vector = new T[rawVector.Length];
                MetricSpace.Prepare(rawVector, vector, _options.Metric);
                var pending = new Pending(id, source ?? NoSource, vector) { Scan = _scans.Remove(id, out DensityModel<T>.AdmissionScan? scan) ? scan : null };
                _holdBack.Enqueue(pending);
                _waiting[id] = pending;
                while (_waiting.Count > _options.HoldBack && _holdBack.TryDequeue(out Pending? next))
                {
                    if (_waiting.Remove(next.Id))
                    {
                        decided.Add((next.Id, Decide(next)));
                    }
                }
            }

            ApplyDeferred();
        }
        finally
        {
            _deferred = null;
            _deferredRemovals.Clear();
        }

        return decided;
    }

    /// <summary>
    /// Called just before a member retires (<see cref="Retire"/>: an admission replaces it in a full reference or a
    /// source at its cap, or a re-score evicts it) with the member's id, its stored vector and its maintained scores:
    /// what the caller calibrates on can outlive the membership (a trusted seed member keeps calibrating,
    /// <see cref="Calibration.CalibrationPool.Demote"/>). Not called for a member admitted earlier in the same offer
    /// (it has no vector yet), nor for <see cref="Evict"/> and <see cref="Revoke"/> (a sample taken back must not
    /// calibrate). The vector is the store's own row, valid only during the call: a handler that keeps it copies it.
    /// </summary>
    public RetiringMember? Retiring { get; set; }

    /// <summary>What <see cref="Retiring"/> is handed: the retiring member's id, stored vector and maintained scores.</summary>
    public delegate void RetiringMember(string id, ReadOnlySpan<T> vector, OutlierScores scores);

    /// <summary>
    /// A member leaves in the normal course of the reference (replaced, or evicted by a re-score): <see cref="Retiring"/>
    /// sees it first, then it is evicted. False when it is not a member.
    /// </summary>
    public bool Retire(string id)
    {
        if (Retiring is { } retiring && _members.TryGetValue(id, out Member member) && member.Slot >= 0)
        {
            retiring(id, Model.Store.Row(member.Slot), Model.MemberScores(member.Slot));
        }

        return Evict(id);
    }

    /// <summary>Takes a sample back: out of the hold-back if waiting, out of the reference if a member.</summary>
    public bool Revoke(string id) => _waiting.Remove(id) || Evict(id);

    public bool Evict(string id)
    {
        if (!_members.Remove(id, out Member member))
        {
            return false;
        }

        RemoveIdAt(member.Slot, id);

        _arrival.Remove(member.Arrival, member.Source);
        if (member.Slot < 0)
        {
            // Admitted earlier in the same offer: it never enters the geometry.
            _deferred![DeferredIndex(member.Slot)] = null;
        }
        else if (_deferred is not null)
        {
            _deferredRemovals.Add(member.Slot);
        }
        else
        {
            Model.Remove(member.Slot);
        }

        Version++;
        if (RecordsChanges)
        {
            _changes.Add(new ReferenceChange(Version, ReferenceChangeKind.Evicted, id, member.Source));
        }

        return true;
    }

    /// <summary>Scores new samples (raw embeddings) against the members.</summary>
    public QueryResult[] Score(Matrix<T> rawVectors) => Model.ScoreQueries(MetricSpace.Prepare(rawVectors, _options.Metric).Data);

    /// <summary>
    /// Scores new samples and keeps each one's search under its id, so that an admission of the sample later (through
    /// <see cref="OfferCleared(IReadOnlyList{ValueTuple{string, string, T[]}})"/>) corrects it instead of searching the
    /// reference again. The scores equal <see cref="Score(Matrix{T})"/>'s. Searches of samples never offered are dropped,
    /// oldest first, beyond a few hold-backs' worth.
    /// </summary>
    public QueryResult[] Score(Matrix<T> rawVectors, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(rawVectors);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count != rawVectors.Rows)
        {
            throw new ArgumentException($"{ids.Count} ids for {rawVectors.Rows} rows", nameof(ids));
        }

        var scans = new DensityModel<T>.AdmissionScan?[rawVectors.Rows];
        QueryResult[] results = Model.ScoreQueries(MetricSpace.Prepare(rawVectors, _options.Metric).Data, scans);
        for (int i = 0; i < ids.Count; i++)
        {
            if (scans[i] is { } scan)
            {
                if (!_scans.ContainsKey(ids[i]))
                {
                    _scanOrder.Enqueue(ids[i]);
                }

                _scans[ids[i]] = scan;
            }
        }

        int limit = (4 * _options.HoldBack) + 4096;
        while (_scanOrder.Count > limit && _scanOrder.TryDequeue(out string? old))
        {
            _scans.Remove(old);
        }

        return results;
    }

    /// <summary>A member id for a neighbour slot of a <see cref="QueryResult"/> (the first admitted when duplicated).</summary>
    public string IdOfSlot(int slot) => IdsAt(slot) switch
    {
        string id => id,
        List<string> ids => ids[0],
        _ => throw new ArgumentException($"slot {slot} holds no member", nameof(slot)),
    };

    public OutlierScores MemberScores(string id) => Model.MemberScores(_members[id].Slot);

    /// <summary>A member's scores, or false when the id is no member (one lookup for both questions).</summary>
    public bool TryGetMemberScores(string id, out OutlierScores scores)
    {
        if (_members.TryGetValue(id, out Member member))
        {
            scores = Model.MemberScores(member.Slot);
            return true;
        }

        scores = default;
        return false;
    }

    /// <summary>The stored (metric-space) vectors of members, one row per id.</summary>
    public Matrix<T> Vectors(IReadOnlyList<string> ids)
    {
        var m = new Matrix<T>(ids.Count, Model.Dimension);
        for (int i = 0; i < ids.Count; i++)
        {
            Model.Store.Row(_members[ids[i]].Slot).CopyTo(m.Row(i));
        }

        return m;
    }

    /// <summary>A copy of everything needed to restore this set exactly (see <see cref="Restore"/>).</summary>
    public ReferenceSetState<T> ExportState()
    {
        var pointOfSlot = new Dictionary<int, int>();
        var members = new List<ReferenceMemberState>(_members.Count);
        foreach (string id in _arrival.InOrder())
        {
            Member m = _members[id];
            if (!pointOfSlot.TryGetValue(m.Slot, out int point))
            {
                point = pointOfSlot.Count;
                pointOfSlot[m.Slot] = point;
            }

            members.Add(new ReferenceMemberState(id, m.Source, point));
        }

        int d = Model.Dimension;
        var points = new Matrix<T>(pointOfSlot.Count, d);
        foreach ((int slot, int point) in pointOfSlot)
        {
            Model.Store.Row(slot).CopyTo(points.Row(point));
        }

        var holdBack = _holdBack.Where(p => _waiting.TryGetValue(p.Id, out Pending? w) && ReferenceEquals(w, p))
            .Select(p => new PendingSampleState<T>(p.Id, p.Source, (T[])p.Vector.Clone()))
            .ToList();
        return new ReferenceSetState<T>(_options, Version, _eligibleSeen, points, members, holdBack) { LogPosition = LogPosition, ModelVersion = ModelVersion };
    }

    /// <summary>
    /// Rebuilds a set from <see cref="ExportState"/>'s output: same members, sources, arrival order, hold-back and
    /// version, with every member's density state recomputed exactly. Every admission draw is a function of (Seed,
    /// samples seen) and of the arrival order only, so a restored set decides exactly as the set it was saved from.
    /// </summary>
    public static ReferenceSet<T> Restore(ReferenceSetState<T> state)
    {
        var set = new ReferenceSet<T>(state.Points.Cols, state.Options);
        if (state.Members.Count > 0)
        {
            var rows = new Matrix<T>(state.Members.Count, state.Points.Cols);
            for (int i = 0; i < state.Members.Count; i++)
            {
                int point = state.Members[i].Point;
                if ((uint)point >= (uint)state.Points.Rows)
                {
                    throw new ArgumentException($"member '{state.Members[i].Id}' names point {point} of {state.Points.Rows}", nameof(state));
                }

                state.Points.RowReadOnly(point).CopyTo(rows.Row(i));
            }

            set.Model.Reserve(rows.Rows);
            int[] slots = set.Model.BulkLoad(rows);
            for (int i = 0; i < slots.Length; i++)
            {
                set.Record(state.Members[i].Id, state.Members[i].Source, slots[i]);
            }
        }

        foreach (PendingSampleState<T> p in state.HoldBack)
        {
            var pending = new Pending(p.Id, p.Source, (T[])p.Vector.Clone());
            set._holdBack.Enqueue(pending);
            set._waiting[p.Id] = pending;
        }

        set.Version = state.Version;
        set._eligibleSeen = state.EligibleSeen;
        set.LogPosition = state.LogPosition;
        set.ModelVersion = state.ModelVersion;
        set._changes.Clear();
        return set;
    }

    /// <summary>
    /// Whether admissions and evictions are recorded for <see cref="DrainChanges"/> (off by default). Only a reader that
    /// drains the record turns it on: a record nobody drains would grow by one entry, and keep one evicted id alive,
    /// per admission and per eviction for as long as the service runs.
    /// </summary>
    public bool RecordsChanges { get; set; }

    /// <summary>Changes recorded since the last call, in order (none while <see cref="RecordsChanges"/> is off).</summary>
    public IReadOnlyList<ReferenceChange> DrainChanges()
    {
        var list = _changes.ToList();
        _changes.Clear();
        return list;
    }

    /// <summary>
    /// SHA-256 over what replicas must agree on: version, samples seen, log position, the members in arrival order
    /// (id, source, metric-space vector) and the hold-back queue. Equal digests mean equal reference contents.
    /// </summary>
    public string Digest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] number = new byte[8];
        void Long(long v)
        {
            BitConverter.TryWriteBytes(number, v);
            hash.AppendData(number);
        }

        void Text(string v)
        {
            Long(v.Length);
            hash.AppendData(Encoding.UTF8.GetBytes(v));
        }

        Long(Version);
        Long(_eligibleSeen);
        Long(LogPosition);
        Long(_members.Count);
        foreach (string id in _arrival.InOrder())
        {
            Member m = _members[id];
            Text(id);
            Text(m.Source);
            hash.AppendData(MemoryMarshal.AsBytes(Model.Store.Row(m.Slot)));
        }

        foreach (Pending p in _holdBack.Where(p => _waiting.TryGetValue(p.Id, out Pending? w) && ReferenceEquals(w, p)))
        {
            Text(p.Id);
            Text(p.Source);
            hash.AppendData(MemoryMarshal.AsBytes(p.Vector.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private OfferOutcome Decide(Pending p)
    {
        _eligibleSeen++;

        // A fresh generator per decision, seeded by (Seed, samples seen): the draw depends on nothing a restart or a
        // replica could hold differently (a long-lived generator's state is not part of a snapshot).
        var rng = new Random(unchecked(_options.Seed ^ (int)(_eligibleSeen * 0x9E3779B1L) ^ (int)(_eligibleSeen >> 32)));
        int sourceCount = SourceCount(p.Source);
        bool sourceFull = sourceCount >= _options.SourceCap;
        bool setFull = _members.Count >= _options.Capacity;
        if (!sourceFull && !setFull)
        {
            Admit(p);
            return OfferOutcome.Admitted;
        }

        if (_options.Policy == AdmissionPolicy.Reservoir && rng.NextDouble() >= (double)_options.Capacity / _eligibleSeen)
        {
            return OfferOutcome.NotSampled;
        }

        // A source at its cap only ever replaces its own members, so no source can crowd a neighbourhood.
        // The reservoir's victim is the r-th member in arrival order: arrival order is restored exactly, the layout
        // of the swap-remove sets is not.
        string? source = sourceFull ? p.Source : null;
        string victim = _options.Policy == AdmissionPolicy.Reservoir
            ? InArrivalOrder(source, rng.Next(sourceFull ? SourceCount(p.Source) : _members.Count))
            : InArrivalOrder(source, 0);

        Retire(victim);
        Admit(p);
        return OfferOutcome.Admitted;
    }

    /// <summary>The <paramref name="rank"/>-th admitted member (0: the earliest), of one source when given.</summary>
    private string InArrivalOrder(string? source, int rank) => source is null ? _arrival.At(rank) : _arrival.At(source, rank);

    /// <summary>
    /// Records an admission now (the decisions that follow see it) and queues its vector for the geometry: it holds a
    /// placeholder slot until <see cref="ApplyDeferred"/> inserts the offer's admissions together.
    /// </summary>
    private void Admit(Pending p)
    {
        if (_deferred is null)
        {
            (int slot, _) = Model.Insert(p.Vector);
            Record(p.Id, p.Source, slot);
            return;
        }

        Record(p.Id, p.Source, DeferredIndex(_deferred.Count));
        _deferred.Add(p);
    }

    /// <summary>Placeholder slots are negative: -1 for the first deferred admission, -2 for the next (an involution).</summary>
    private static int DeferredIndex(int value) => -1 - value;

    /// <summary>
    /// The geometry catches up with the decisions of an offer: its evictions in order (one refresh), then its
    /// admissions in order (one blocked pass). The final point set is the one the interleaved sequence leaves.
    /// </summary>
    private void ApplyDeferred()
    {
        if (_deferredRemovals.Count > 0)
        {
            Model.RemoveMany(_deferredRemovals);
        }

        var kept = new List<int>();
        for (int i = 0; i < _deferred!.Count; i++)
        {
            if (_deferred[i] is not null)
            {
                kept.Add(i);
            }
        }

        if (kept.Count == 0)
        {
            return;
        }

        int d = Model.Dimension;
        var rows = new T[kept.Count * d];
        for (int j = 0; j < kept.Count; j++)
        {
            _deferred[kept[j]]!.Vector.CopyTo(rows.AsSpan(j * d, d));
        }

        (int Slot, bool IsNewPoint)[] slots = Model.InsertMany(rows, [.. kept.Select(k => _deferred[k]!.Scan)]);
        for (int j = 0; j < kept.Count; j++)
        {
            string id = _deferred[kept[j]]!.Id;
            int placeholder = DeferredIndex(kept[j]);
            _idsDeferred.Remove(placeholder);
            _members[id] = _members[id] with { Slot = slots[j].Slot };
            AddIdAt(slots[j].Slot, id);
        }
    }

    private void Record(string id, string? source, int slot)
    {
        source ??= NoSource;
        int arrival = _arrival.Add(id, source);
        _members[id] = new Member(slot, source, arrival);
        AddIdAt(slot, id);
        Version++;
        if (RecordsChanges)
        {
            _changes.Add(new ReferenceChange(Version, ReferenceChangeKind.Admitted, id, source));
        }
    }

    /// <summary>Appends an id to those admitted at a slot.</summary>
    private void AddIdAt(int slot, string id)
    {
        switch (IdsAt(slot))
        {
            case null:
                SetIdsAt(slot, id);
                break;
            case string only:
                SetIdsAt(slot, new List<string>(2) { only, id });
                break;
            case List<string> ids:
                ids.Add(id);
                break;
        }
    }

    /// <summary>Removes an id from those admitted at a slot; the slot's entry goes with its last id.</summary>
    private void RemoveIdAt(int slot, string id)
    {
        object held = IdsAt(slot) ?? throw new InvalidOperationException($"slot {slot} holds no member");
        if (held is string)
        {
            SetIdsAt(slot, null);
            return;
        }

        var ids = (List<string>)held;
        ids.Remove(id);
        if (ids.Count == 1)
        {
            SetIdsAt(slot, ids[0]);
        }
    }

    private object? IdsAt(int slot) =>
        slot < 0 ? _idsDeferred.GetValueOrDefault(slot) : slot < _idsAtSlot.Length ? _idsAtSlot[slot] : null;

    private void SetIdsAt(int slot, object? ids)
    {
        if (slot < 0)
        {
            if (ids is null)
            {
                _idsDeferred.Remove(slot);
            }
            else
            {
                _idsDeferred[slot] = ids;
            }

            return;
        }

        if (slot >= _idsAtSlot.Length)
        {
            // Follow the geometry's store, which grows by doubling up to the reference's capacity.
            Array.Resize(ref _idsAtSlot, Math.Max(slot + 1, Model.Store.Capacity));
        }

        _idsAtSlot[slot] = ids;
    }

    private readonly record struct Member(int Slot, string Source, int Arrival);

    private sealed record Pending(string Id, string Source, T[] Vector)
    {
        /// <summary>The sample's search when it was scored, if kept.</summary>
        public DensityModel<T>.AdmissionScan? Scan { get; init; }
    }
}
