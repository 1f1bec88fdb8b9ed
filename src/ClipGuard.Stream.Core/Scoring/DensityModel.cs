using System.Numerics;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// The reference geometry with every member's k-distance, LID, lrd and scores maintained exactly under insert and
/// delete (Pokrajac et al. 2007): a change at p touches p's reverse neighbours' k-distance and LID, their reverse
/// neighbours' lrd, and scores one step further. Each member keeps <c>k + extra</c> neighbours so a delete only
/// re-queries members whose list falls below k. Exact duplicates are one point with a multiplicity (see README,
/// "Duplicates"): the geometry sees distinct vectors only, so no distance to a neighbour is ever zero.
/// </summary>
public sealed partial class DensityModel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ExactKnn<T> _knn;
    private Neighbor[][] _lists;
    private int[] _listCount;
    private ReverseLists _reverse;
    private int[] _multiplicity;
    private double[] _kd;
    private double[] _thresholdSq;
    private double[] _lid;
    private double[] _lrd;
    private double[] _lof;
    private double[] _slof;
    private double[] _dao;
    private bool _derivedValid;
    private bool _frozen;
    private IQueryCandidates<T>? _queryIndex;

    /// <param name="extraNeighbors">Neighbours kept beyond k; -1 = ⌈k/2⌉ (8 at k = 16: no re-query in 500 random
    /// deletes at 10,000 and 50,000 members in `bench scoring`, and 96 bytes a member less than k extra, docs/benchmarks.md).</param>
    /// <param name="maxCapacity">The most distinct points the owner will hold at once (see <see cref="VectorStore{T}"/>).</param>
    public DensityModel(int dimension, int k, DistanceMetric metric, int extraNeighbors = -1, int threads = 0, int initialCapacity = 1024, int maxCapacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        K = k;
        ListLength = k + (extraNeighbors >= 0 ? extraNeighbors : (k + 1) / 2);
        Metric = metric;
        Store = new VectorStore<T>(dimension, initialCapacity, maxCapacity);
        _knn = new ExactKnn<T>(Store, metric, threads);
        int cap = Store.Capacity;
        _lists = new Neighbor[cap][];
        _listCount = new int[cap];
        _reverse = new ReverseLists(cap);
        _multiplicity = new int[cap];
        _kd = new double[cap];
        _thresholdSq = new double[cap];
        _lid = new double[cap];
        _lrd = new double[cap];
        _lof = new double[cap];
        _slof = new double[cap];
        _dao = new double[cap];
        _slotEpoch = new long[cap];
    }

    public int K { get; }

    /// <summary>Neighbours kept per member: k plus the slack that absorbs deletes without a re-query.</summary>
    public int ListLength { get; }

    public DistanceMetric Metric { get; }

    public VectorStore<T> Store { get; }

    public int Dimension => Store.Dimension;

    /// <summary>Number of distinct points.</summary>
    public int Count => Store.Count;

    /// <summary>Scores exist once there are k + 1 distinct points: each member needs k others.</summary>
    public bool IsReady => Store.Count > K;

    /// <summary>Members whose neighbour list had to be re-queried after deletes (a cost counter for benchmarks).</summary>
    public long Requeries { get; private set; }

    public int Multiplicity(int slot) => _multiplicity[slot];

    /// <summary>Reports the fraction of a from-scratch k-NN computation done (bulk loads and rebuilds).</summary>
    public IProgress<double>? Progress { get => _knn.Progress; init => _knn.Progress = value; }

    /// <summary>
    /// Adds many metric-space rows at once, collapsing duplicates, then computes every state from scratch with one
    /// blocked all-k-NN pass (far cheaper than inserting one by one). Returns each row's slot.
    /// </summary>
    public int[] BulkLoad(Numerics.Matrix<T> rows)
    {
        ThrowIfFrozen();
        var slotOfRow = new int[rows.Rows];
        for (int i = 0; i < rows.Rows; i++)
        {
            ReadOnlySpan<T> row = rows.RowReadOnly(i);
            int slot = Store.Find(row);
            if (slot < 0)
            {
                slot = Store.Add(row);
                EnsureCapacity();
                _queryIndex?.Added(slot, row);
            }

            _multiplicity[slot]++;
            slotOfRow[i] = slot;
        }

        RebuildExact();
        return slotOfRow;
    }

    /// <summary>Adds a metric-space vector. An exact duplicate of a stored point only raises its multiplicity.</summary>
    public (int Slot, bool IsNewPoint) Insert(ReadOnlySpan<T> vector)
    {
        ThrowIfFrozen();
        int existing = Store.Find(vector);
        if (existing >= 0)
        {
            _multiplicity[existing]++;
            return (existing, false);
        }

        int before = Store.Count;
        Neighbor[] own = [];
        List<(int Slot, Neighbor Entry)> entering = [];
        if (before > 0)
        {
            (own, List<int> candidates) = _knn.SearchForInsert(vector, ListLength, InsertThresholds(before))[0];
            entering = Entering(vector, candidates, before);
        }

        var changed = new HashSet<int>();
        int slot = AddPoint(vector, own, entering, changed);
        Refresh(changed);
        return (slot, true);
    }

    /// <summary>
    /// Adds many metric-space vectors (contiguous rows) with exactly the result of <see cref="Insert"/> called on each
    /// in order (the same slots, neighbour lists and scores), for one blocked pass over the stored points instead of
    /// one pass per vector. The pass runs against the points stored before the call: a stored point's threshold only
    /// shrinks while points are added, so the pass's reverse candidates are a superset of those of each sequential
    /// insert; the vectors of the call are compared with each other exactly, and the derived values are refreshed
    /// once over the union of the changed lists (they are functions of the final lists).
    /// </summary>
    public (int Slot, bool IsNewPoint)[] InsertMany(ReadOnlySpan<T> rows) => InsertMany(rows, null);

    /// <summary>
    /// <see cref="InsertMany(ReadOnlySpan{T})"/> where rows may come with the search of their novelty query
    /// (<paramref name="scans"/>, one per row, null where none): such a row is corrected for what changed since instead
    /// of being searched again. Every member's first k neighbours and every score equal those of the plain call; a
    /// reused row's own list may keep fewer than <see cref="ListLength"/> neighbours (at least k), as after deletes.
    /// </summary>
    public (int Slot, bool IsNewPoint)[] InsertMany(ReadOnlySpan<T> rows, IReadOnlyList<AdmissionScan?>? scans)
    {
        ThrowIfFrozen();
        int d = Dimension;
        if (rows.Length % d != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not whole rows of {d}", nameof(rows));
        }

        int m = rows.Length / d;
        var result = new (int Slot, bool IsNewPoint)[m];
        int first = 0;

        // While the set is this small a list may hold every other point and accept any newcomer: one by one.
        for (; first < m && Store.Count <= ListLength; first++)
        {
            result[first] = Insert(rows.Slice(first * d, d));
        }

        if (first == m)
        {
            return result;
        }

        // Rows already stored keep the slot found here (this call only adds points); the others are scanned, and looked
        // up again below in case an earlier row of this call added the same point.
        var storedBefore = new int[m];
        var scanned = new List<int>();
        var reuse = new List<int>();
        for (int i = first; i < m; i++)
        {
            storedBefore[i] = Store.Find(rows.Slice(i * d, d));
            if (storedBefore[i] < 0 && scans is not null && i < scans.Count && Usable(scans[i]))
            {
                reuse.Add(i);
            }
        }

        // Rows with a kept scan are corrected for what changed since it; the others (and corrections that left fewer
        // than k neighbours) take the blocked pass.
        var reused = new (Neighbor[] Own, List<int> Candidates, Neighbor Bound)?[m];
        (Neighbor[] Own, List<int> Candidates, Neighbor Bound)?[] updated = Corrected(rows, reuse, scans!);
        for (int r = 0; r < reuse.Count; r++)
        {
            reused[reuse[r]] = updated[r];
        }

        for (int i = first; i < m; i++)
        {
            if (storedBefore[i] < 0 && reused[i] is null)
            {
                scanned.Add(i);
            }
        }

        var scanRows = new T[scanned.Count * d];
        for (int j = 0; j < scanned.Count; j++)
        {
            rows.Slice(scanned[j] * d, d).CopyTo(scanRows.AsSpan(j * d, d));
        }

        (Neighbor[] Own, List<int> Candidates)[] found = scanned.Count > 0 ? _knn.SearchForInsert(scanRows, ListLength, _thresholdSq) : [];
        var added = new List<int>(scanned.Count);
        var toAdded = new List<Neighbor>(scanned.Count);
        var changed = new HashSet<int>();
        int next = 0;
        for (int i = first; i < m; i++)
        {
            ReadOnlySpan<T> vector = rows.Slice(i * d, d);
            int foundIndex = next < scanned.Count && scanned[next] == i ? next++ : -1;
            int existing = storedBefore[i] >= 0 ? storedBefore[i] : Store.Find(vector);
            if (existing >= 0)
            {
                // A point stored before the call, or one this call added already.
                _multiplicity[existing]++;
                result[i] = (existing, false);
                continue;
            }

            (Neighbor[] scannedOwn, List<int> candidates) = reused[i] is { } r ? (r.Own, r.Candidates) : found[foundIndex];
            int slot = Store.NextSlot;
            toAdded.Clear();
            foreach (int a in added)
            {
                toAdded.Add(new Neighbor(a, CanonicalDistance(vector, a)));
            }

            Neighbor[] own = MergeOwn(scannedOwn, toAdded);
            if (reused[i] is { } corrected)
            {
                // Beyond the scan's last neighbour the corrected list knows only the points added since: cut there.
                own = [.. own.TakeWhile(n => n.CompareTo(corrected.Bound) <= 0)];
                ScansReused++;
            }

            List<(int Slot, Neighbor Entry)> entering = Entering(vector, candidates, Store.Count);
            EnteringAdded(toAdded, slot, entering);
            AddPoint(vector, own, entering, changed);
            added.Add(slot);
            result[i] = (slot, true);
        }

        Refresh(changed);
        return result;
    }

    /// <summary>Removes one sample from a point; the point leaves the geometry when its multiplicity reaches zero.</summary>
    public bool Remove(int slot) => RemoveMany([slot])[0];

    /// <summary>
    /// Removes one sample from each slot, in order (a slot may repeat, once per sample); a point leaves the geometry
    /// when its multiplicity reaches zero. Returns, per entry, whether its point left. The members whose lists fell
    /// below k are re-queried together in one blocked pass after all removals, and derived values are refreshed once:
    /// every member's first k neighbours and every score equal those after removing one by one (the slack beyond k
    /// may differ, as it does between any two histories).
    /// </summary>
    public bool[] RemoveMany(IReadOnlyList<int> slots)
    {
        ThrowIfFrozen();
        var left = new bool[slots.Count];
        var changed = new HashSet<int>();
        for (int i = 0; i < slots.Count; i++)
        {
            int slot = slots[i];
            if (!Store.IsActive(slot))
            {
                throw new ArgumentException($"slot {slot} holds no point", nameof(slots));
            }

            if (--_multiplicity[slot] > 0)
            {
                continue;
            }

            left[i] = true;
            for (int j = 0; j < _listCount[slot]; j++)
            {
                _reverse.Remove(_lists[slot][j].Slot, slot);
            }

            foreach (int q in _reverse.Of(slot))
            {
                if (RemoveFromList(q, slot) < K)
                {
                    changed.Add(q);
                }
            }

            _reverse.Release(slot);
            _listCount[slot] = 0;
            changed.Remove(slot);
            Store.Remove(slot);
            LogRemoved();
            _queryIndex?.Removed(slot);
        }

        var refill = new List<int>();
        foreach (int q in changed)
        {
            if (_listCount[q] < K && _listCount[q] < Store.Count - 1)
            {
                refill.Add(q);
            }
        }

        if (refill.Count > 0)
        {
            Requeries += refill.Count;
            Neighbor[][] fresh = _knn.SearchMembers(refill, ListLength);
            for (int i = 0; i < refill.Count; i++)
            {
                ClearList(refill[i]);
                SetList(refill[i], fresh[i]);
            }
        }

        if (left.Any(x => x))
        {
            Refresh(changed);
        }

        return left;
    }

    /// <summary>Recomputes every list and derived value from scratch (the full re-score's repair step).</summary>
    public void RebuildExact()
    {
        ThrowIfFrozen();
        var slots = Store.ActiveSlots().ToList();
        Neighbor[][] fresh = slots.Count > 1 ? _knn.SearchMembers(slots, ListLength) : slots.Select(_ => Array.Empty<Neighbor>()).ToArray();
        foreach (int s in slots)
        {
            _reverse.Clear(s);
            _listCount[s] = 0;
            _lists[s] ??= new Neighbor[ListLength];
        }

        for (int i = 0; i < slots.Count; i++)
        {
            SetList(slots[i], fresh[i]);
        }

        _derivedValid = false;
        Refresh([]);
        VoidScans();
    }

    /// <summary>The first k neighbours of a member (ascending distance, ties by slot).</summary>
    public ReadOnlySpan<Neighbor> Neighbors(int slot)
    {
        ThrowIfFrozen();
        return _lists[slot].AsSpan(0, Math.Min(K, _listCount[slot]));
    }

    /// <summary>Makes room for at least <paramref name="points"/> distinct points at once (before a bulk load).</summary>
    public void Reserve(int points)
    {
        ThrowIfFrozen();
        Store.Reserve(points);
        EnsureCapacity();
    }

    /// <summary>True once <see cref="Freeze"/> ran.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>
    /// Keeps only what novelty queries and member scores read (the vectors, every member's k-distance, LID, lrd and
    /// scores) and drops what updates need: neighbour lists, reverse neighbours, entry thresholds and the duplicate
    /// index, about a quarter of a member's bytes (`clipguard bench memory`). For a reference that never changes, such
    /// as the conformal rule's frozen seed guard. Updates, rebuilds, drift checks and neighbour lists refuse afterwards.
    /// </summary>
    public void Freeze()
    {
        _lists = [];
        _listCount = [];
        _reverse = new ReverseLists(0);
        _thresholdSq = [];
        _slotEpoch = [];
        Store.DropContentIndex();
        _frozen = true;
    }

    private void ThrowIfFrozen()
    {
        if (_frozen)
        {
            throw new InvalidOperationException("the density model is frozen: it answers novelty queries and member scores only");
        }
    }

    public OutlierScores MemberScores(int slot)
    {
        EnsureReady();
        if (!Store.IsActive(slot))
        {
            throw new ArgumentException($"slot {slot} holds no point", nameof(slot));
        }

        return new OutlierScores(_kd[slot], _lid[slot], _lrd[slot], _lof[slot], _slof[slot], _dao[slot]);
    }

    /// <summary>
    /// Lets <paramref name="index"/> propose the neighbours of stream queries (see <see cref="IQueryCandidates{T}"/>).
    /// It is given every point the model holds now and every later change.
    /// </summary>
    public void AttachQueryIndex(IQueryCandidates<T> index)
    {
        ArgumentNullException.ThrowIfNull(index);
        foreach (int slot in Store.ActiveSlots())
        {
            index.Added(slot, Store.Row(slot));
        }

        _queryIndex = index;
    }

    /// <summary>Scores new points (not members) against the model: N_k(q) ⊂ members, O(k) after the k-NN search.</summary>
    public QueryResult[] ScoreQueries(ReadOnlySpan<T> rows)
    {
        EnsureReady();
        Neighbor[][] found = _queryIndex is null ? _knn.SearchQueries(rows, K) : Measured(rows, _queryIndex.Search(rows, K));
        var results = new QueryResult[found.Length];
        for (int i = 0; i < found.Length; i++)
        {
            results[i] = ScoreNeighborhood(found[i]);
        }

        return results;
    }

    /// <summary>The scores of a point whose k nearest members are <paramref name="neighbors"/> (ascending).</summary>
    public QueryResult ScoreNeighborhood(Neighbor[] neighbors)
    {
        EnsureReady();
        ReadOnlySpan<Neighbor> n = neighbors;
        double kd = n[K - 1].Distance;
        double lrd = ScoreMath.Lrd(n, K, _kd);
        var scores = new OutlierScores(
            kd,
            ScoreMath.Lid(n, K),
            lrd,
            ScoreMath.Lof(n, K, lrd, _lrd),
            ScoreMath.Slof(n, K, kd, _kd),
            ScoreMath.Dao(n, K, kd, _kd, _lid));
        return new QueryResult(scores, neighbors);
    }

    /// <summary>
    /// The index's candidates with canonical float64 distances, ascending (ties by slot). A row the index answered
    /// short (fewer than k live points) is searched exactly: every score needs k neighbours.
    /// </summary>
    private Neighbor[][] Measured(ReadOnlySpan<T> rows, int[][] candidates)
    {
        int d = Dimension;
        var result = new Neighbor[candidates.Length][];
        for (int i = 0; i < candidates.Length; i++)
        {
            ReadOnlySpan<T> q = rows.Slice(i * d, d);
            var list = new List<Neighbor>(K);
            foreach (int slot in candidates[i])
            {
                if (slot >= 0 && Store.IsActive(slot))
                {
                    list.Add(new Neighbor(slot, CanonicalDistance(q, slot)));
                }
            }

            if (list.Count < K)
            {
                result[i] = _knn.SearchQueries(q, K)[0];
                continue;
            }

            list.Sort();
            result[i] = [.. list.Take(K)];
        }

        return result;
    }

    /// <summary>
    /// Compares the maintained state with an exact recomputation on the same points, without changing anything:
    /// the drift the periodic full re-score reports, and the bar the property tests hold the model to.
    /// </summary>
    public DriftReport MeasureDrift()
    {
        ThrowIfFrozen();
        EnsureReady();
        var slots = Store.ActiveSlots().ToList();
        Neighbor[][] exact = _knn.SearchMembers(slots, K);
        int cap = Store.Capacity;
        double[] kd = new double[cap], lid = new double[cap], lrd = new double[cap];
        for (int i = 0; i < slots.Count; i++)
        {
            kd[slots[i]] = exact[i][K - 1].Distance;
            lid[slots[i]] = ScoreMath.Lid(exact[i], K);
        }

        for (int i = 0; i < slots.Count; i++)
        {
            lrd[slots[i]] = ScoreMath.Lrd(exact[i], K, kd);
        }

        var drift = new DriftAccumulator();
        for (int i = 0; i < slots.Count; i++)
        {
            int s = slots[i];
            ReadOnlySpan<Neighbor> e = exact[i];
            if (!e.SequenceEqual(Neighbors(s)))
            {
                drift.NeighborMismatches++;
            }

            drift.Add(DriftQuantity.KDistance, _kd[s], kd[s]);
            drift.Add(DriftQuantity.Lid, _lid[s], lid[s]);
            drift.Add(DriftQuantity.Lrd, _lrd[s], lrd[s]);
            drift.Add(DriftQuantity.Lof, _lof[s], ScoreMath.Lof(e, K, lrd[s], lrd));
            drift.Add(DriftQuantity.Slof, _slof[s], ScoreMath.Slof(e, K, kd[s], kd));
            drift.Add(DriftQuantity.Dao, _dao[s], ScoreMath.Dao(e, K, kd[s], kd, lid));
        }

        return drift.ToReport(slots.Count);
    }

    /// <summary>Test hook for the re-score tests: overwrites a member's maintained k-distance.</summary>
    internal void CorruptForTest(int slot, double kd) => _kd[slot] = kd;
}
