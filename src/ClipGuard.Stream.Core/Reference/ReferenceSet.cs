using System.Numerics;
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
    private Random _rng;
    private readonly Dictionary<string, Member> _members = [];
    private readonly Dictionary<int, List<string>> _idsBySlot = [];
    private readonly IndexedSet<string> _all = new();
    private readonly Dictionary<string, IndexedSet<string>> _bySource = [];
    private readonly LinkedList<string> _arrival = new();
    private readonly Queue<Pending> _holdBack = new();
    private readonly Dictionary<string, Pending> _waiting = [];
    private readonly List<ReferenceChange> _changes = [];
    private long _eligibleSeen;

    public ReferenceSet(int dimension, ReferenceSetOptions options)
    {
        options.Validate();
        _options = options;
        _rng = new Random(options.Seed);
        Model = new DensityModel<T>(dimension, options.K, options.Metric, threads: options.Threads, initialCapacity: Math.Min(options.Capacity, 1 << 16));
    }

    public DensityModel<T> Model { get; }

    public ReferenceSetOptions Options => _options;

    /// <summary>Bumped by every admission and eviction; verdicts name the version they were scored against.</summary>
    public long Version { get; private set; }

    /// <summary>Members (sample ids), duplicates counted.</summary>
    public int Count => _members.Count;

    public int WaitingInHoldBack => _waiting.Count;

    public bool IsReady => Model.IsReady;

    public bool Contains(string id) => _members.ContainsKey(id);

    public int SourceCount(string? source) => _bySource.TryGetValue(source ?? NoSource, out IndexedSet<string>? s) ? s.Count : 0;

    public IEnumerable<string> MemberIds => _members.Keys;

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
    public IReadOnlyList<(string Id, OfferOutcome Outcome)> OfferCleared(string id, string? source, ReadOnlySpan<T> rawVector)
    {
        if (_members.ContainsKey(id) || _waiting.ContainsKey(id))
        {
            return [(id, OfferOutcome.AlreadyKnown)];
        }

        var vector = new T[rawVector.Length];
        MetricSpace.Prepare(rawVector, vector, _options.Metric);
        var pending = new Pending(id, source ?? NoSource, vector);
        _holdBack.Enqueue(pending);
        _waiting[id] = pending;
        var decided = new List<(string, OfferOutcome)>();
        while (_waiting.Count > _options.HoldBack && _holdBack.TryDequeue(out Pending? next))
        {
            if (_waiting.Remove(next.Id))
            {
                decided.Add((next.Id, Decide(next)));
            }
        }

        return decided;
    }

    /// <summary>Takes a sample back: out of the hold-back if waiting, out of the reference if a member.</summary>
    public bool Revoke(string id) => _waiting.Remove(id) || Evict(id);

    public bool Evict(string id)
    {
        if (!_members.Remove(id, out Member member))
        {
            return false;
        }

        _all.Remove(id);
        _bySource[member.Source].Remove(id);
        List<string> ids = _idsBySlot[member.Slot];
        ids.Remove(id);
        if (ids.Count == 0)
        {
            _idsBySlot.Remove(member.Slot);
        }

        _arrival.Remove(member.Arrival);
        Model.Remove(member.Slot);
        Version++;
        _changes.Add(new ReferenceChange(Version, ReferenceChangeKind.Evicted, id, member.Source));
        return true;
    }

    /// <summary>Scores new samples (raw embeddings) against the members.</summary>
    public QueryResult[] Score(Matrix<T> rawVectors) => Model.ScoreQueries(MetricSpace.Prepare(rawVectors, _options.Metric).Data);

    /// <summary>A member id for a neighbour slot of a <see cref="QueryResult"/> (the first admitted when duplicated).</summary>
    public string IdOfSlot(int slot) => _idsBySlot[slot][0];

    public OutlierScores MemberScores(string id) => Model.MemberScores(_members[id].Slot);

    /// <summary>A copy of everything needed to restore this set exactly (see <see cref="Restore"/>).</summary>
    public ReferenceSetState<T> ExportState()
    {
        var pointOfSlot = new Dictionary<int, int>();
        var members = new List<ReferenceMemberState>(_members.Count);
        foreach (string id in _arrival)
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
        return new ReferenceSetState<T>(_options, Version, _eligibleSeen, points, members, holdBack);
    }

    /// <summary>
    /// Rebuilds a set from <see cref="ExportState"/>'s output: same members, sources, arrival order, hold-back and
    /// version, with every member's density state recomputed exactly. The admission lottery continues from a seed
    /// derived from (Seed, samples seen), so replicas restoring the same state draw alike.
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
        set._rng = new Random(unchecked(state.Options.Seed ^ (int)(state.EligibleSeen * 0x9E3779B1L)));
        set._changes.Clear();
        return set;
    }

    /// <summary>Changes since the last call, in order.</summary>
    public IReadOnlyList<ReferenceChange> DrainChanges()
    {
        var list = _changes.ToList();
        _changes.Clear();
        return list;
    }

    private OfferOutcome Decide(Pending p)
    {
        _eligibleSeen++;
        int sourceCount = SourceCount(p.Source);
        bool sourceFull = sourceCount >= _options.SourceCap;
        bool setFull = _members.Count >= _options.Capacity;
        if (!sourceFull && !setFull)
        {
            Admit(p);
            return OfferOutcome.Admitted;
        }

        if (_options.Policy == AdmissionPolicy.Reservoir && _rng.NextDouble() >= (double)_options.Capacity / _eligibleSeen)
        {
            return OfferOutcome.NotSampled;
        }

        // A source at its cap only ever replaces its own members, so no source can crowd a neighbourhood.
        string victim = _options.Policy == AdmissionPolicy.Reservoir
            ? (sourceFull ? _bySource[p.Source].Pick(_rng) : _all.Pick(_rng))
            : Oldest(sourceFull ? p.Source : null);

        Evict(victim);
        Admit(p);
        return OfferOutcome.Admitted;
    }

    /// <summary>The earliest admitted member, of one source when <paramref name="source"/> is given.</summary>
    private string Oldest(string? source)
    {
        for (LinkedListNode<string>? n = _arrival.First; n is not null; n = n.Next)
        {
            if (source is null || _members[n.Value].Source == source)
            {
                return n.Value;
            }
        }

        throw new InvalidOperationException("no member to replace");
    }

    private void Admit(Pending p)
    {
        (int slot, _) = Model.Insert(p.Vector);
        Record(p.Id, p.Source, slot);
    }

    private void Record(string id, string? source, int slot)
    {
        source ??= NoSource;
        LinkedListNode<string> arrival = _arrival.AddLast(id);
        _members[id] = new Member(slot, source, arrival);
        _all.Add(id);
        if (!_bySource.TryGetValue(source, out IndexedSet<string>? set))
        {
            set = new IndexedSet<string>();
            _bySource[source] = set;
        }

        set.Add(id);
        if (!_idsBySlot.TryGetValue(slot, out List<string>? ids))
        {
            ids = [];
            _idsBySlot[slot] = ids;
        }

        ids.Add(id);
        Version++;
        _changes.Add(new ReferenceChange(Version, ReferenceChangeKind.Admitted, id, source));
    }

    private readonly record struct Member(int Slot, string Source, LinkedListNode<string> Arrival);

    private sealed record Pending(string Id, string Source, T[] Vector);
}
