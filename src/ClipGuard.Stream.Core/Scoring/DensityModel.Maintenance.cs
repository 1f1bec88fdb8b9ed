using System.Numerics;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Scoring;

// The incremental maintenance behind DensityModel's public operations: neighbour lists, reverse neighbours, thresholds
// and the derived scores they feed.
public sealed partial class DensityModel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private void EnsureReady()
    {
        if (!IsReady)
        {
            throw new InvalidOperationException(
                $"the reference holds {Store.Count} distinct point(s); scoring with k = {K} needs at least {K + 1}");
        }
    }

    /// <summary>
    /// Per member, the squared distance a new point must beat to enter its list: the last entry's, or infinity for a
    /// list that holds every other point and has room. Only a set of at most <see cref="ListLength"/> points can have
    /// such complete lists; larger sets use the thresholds maintained with the lists.
    /// </summary>
    private double[] InsertThresholds(int before)
    {
        if (before > ListLength)
        {
            return _thresholdSq;
        }

        var thresholds = new double[Store.HighWater];
        for (int q = 0; q < Store.HighWater; q++)
        {
            thresholds[q] = Store.IsActive(q) && _listCount[q] == before - 1 ? double.PositiveInfinity : _thresholdSq[q];
        }

        return thresholds;
    }

    /// <summary>Of the kernel's candidates, the members whose list the new vector enters, decided exactly.</summary>
    private List<(int Slot, Neighbor Entry)> Entering(ReadOnlySpan<T> vector, List<int> candidates, int before)
    {
        // The scan ran before the point was stored; it will occupy the next free slot, which ties are broken by.
        int slot = Store.NextSlot;
        var entering = new List<(int, Neighbor)>();
        foreach (int q in candidates)
        {
            var entry = new Neighbor(slot, CanonicalDistance(vector, q));
            bool complete = _listCount[q] == before - 1;
            if ((complete && _listCount[q] < ListLength) || LessThanLast(q, entry))
            {
                entering.Add((q, entry));
            }
        }

        return entering;
    }

    /// <summary>
    /// A new point's list during <see cref="InsertMany"/>: its nearest among the points stored before the call (from
    /// the pass) and those the call added before it (<paramref name="toAdded"/>: exact distances), ascending, ties by
    /// slot.
    /// </summary>
    private Neighbor[] MergeOwn(Neighbor[] scanned, List<Neighbor> toAdded)
    {
        if (toAdded.Count == 0)
        {
            return scanned;
        }

        var all = new List<Neighbor>(scanned.Length + toAdded.Count);
        all.AddRange(scanned);
        all.AddRange(toAdded);
        all.Sort();
        return all.GetRange(0, Math.Min(ListLength, all.Count)).ToArray();
    }

    /// <summary>The added points of an <see cref="InsertMany"/> whose list the new point (at <paramref name="slot"/>) enters.</summary>
    private void EnteringAdded(List<Neighbor> toAdded, int slot, List<(int Slot, Neighbor Entry)> into)
    {
        foreach (Neighbor a in toAdded)
        {
            var entry = new Neighbor(slot, a.Distance);
            if (LessThanLast(a.Slot, entry))
            {
                into.Add((a.Slot, entry));
            }
        }
    }

    /// <summary>
    /// Stores a new point with its own list and enters it into the lists it belongs to (<paramref name="entering"/>,
    /// decided before it was stored); its slot and every list whose first k changed join <paramref name="changed"/>.
    /// </summary>
    private int AddPoint(ReadOnlySpan<T> vector, Neighbor[] own, List<(int Slot, Neighbor Entry)> entering, HashSet<int> changed)
    {
        int slot = Store.Add(vector);
        EnsureCapacity();
        LogAdded(slot);
        _queryIndex?.Added(slot, vector);
        _multiplicity[slot] = 1;
        SetList(slot, own);
        changed.Add(slot);
        foreach ((int q, Neighbor entry) in entering)
        {
            if (InsertIntoList(q, entry) < K)
            {
                changed.Add(q);
            }
        }

        return slot;
    }

    /// <summary>The canonical distance from a vector to the point stored at <paramref name="slot"/>.</summary>
    private double CanonicalDistance(ReadOnlySpan<T> vector, int slot) =>
        Distances.FromSquared(Distances.SquaredDifference(vector, Store.Row(slot)), Metric);

    private bool LessThanLast(int q, Neighbor entry) => entry < _lists[q][_listCount[q] - 1];

    private double ToSquared(double distance) => Metric == DistanceMetric.Euclidean ? distance * distance : 2 * distance;

    private int InsertIntoList(int q, Neighbor entry)
    {
        Neighbor[] list = _lists[q];
        int count = _listCount[q];
        int pos = count;
        while (pos > 0 && entry < list[pos - 1])
        {
            pos--;
        }

        if (count == ListLength)
        {
            _reverse.Remove(list[count - 1].Slot, q);
            count--;
        }

        Array.Copy(list, pos, list, pos + 1, count - pos);
        list[pos] = entry;
        _listCount[q] = count + 1;
        _reverse.Add(entry.Slot, q);
        UpdateThreshold(q);
        return pos;
    }

    private int RemoveFromList(int q, int slot)
    {
        Neighbor[] list = _lists[q];
        int count = _listCount[q];
        int pos = 0;
        while (list[pos].Slot != slot)
        {
            pos++;
        }

        Array.Copy(list, pos + 1, list, pos, count - pos - 1);
        _listCount[q] = count - 1;
        UpdateThreshold(q);
        return pos;
    }

    private void SetList(int slot, Neighbor[] neighbors)
    {
        Neighbor[] list = _lists[slot] ??= new Neighbor[ListLength];
        neighbors.AsSpan().CopyTo(list);
        _listCount[slot] = neighbors.Length;
        foreach (Neighbor n in neighbors)
        {
            _reverse.Add(n.Slot, slot);
        }

        UpdateThreshold(slot);
    }

    /// <summary>A new point enters q's list only if it is nearer than the last entry (ties within rounding included).</summary>
    private void UpdateThreshold(int q)
    {
        double threshold = _listCount[q] == 0 ? double.PositiveInfinity : ToSquared(_lists[q][_listCount[q] - 1].Distance) * (1 + 1e-12);
        if (threshold > _thresholdSq[q])
        {
            // A kept scan screened this member against the smaller threshold (DensityModel.Scans.cs).
            LogGrown(q);
        }

        _thresholdSq[q] = threshold;
    }

    private void ClearList(int slot)
    {
        for (int i = 0; i < _listCount[slot]; i++)
        {
            _reverse.Remove(_lists[slot][i].Slot, slot);
        }

        _listCount[slot] = 0;
        UpdateThreshold(slot);
    }

    /// <summary>Recomputes derived values for members whose k-list changed and the two rings of reverse neighbours beyond.</summary>
    private void Refresh(HashSet<int> changedLists)
    {
        if (!IsReady)
        {
            _derivedValid = false;
            return;
        }

        if (!_derivedValid)
        {
            var all = Store.ActiveSlots().ToList();
            RecomputeDerived(all, all, all);
            _derivedValid = true;
            return;
        }

        ICollection<int> lrdSet = WithReverseK(changedLists);
        ICollection<int> scoreSet = WithReverseK(lrdSet);
        RecomputeDerived(changedLists, lrdSet, scoreSet);
    }

    /// <summary>
    /// <paramref name="members"/> and every member that holds one of them among its first k. A batch of inserts changes
    /// thousands of lists and the two rings cover most of the reference (at |R| = 50,000, 5,440 changed lists gave
    /// 45,000 scores to refresh). Following the reverse lists then means about a million reads of other members' lists
    /// in random order, which took three quarters of the refresh; for large sets every member's first k is read once,
    /// in slot order, by parallel workers, against a bitmap of the set.
    /// </summary>
    private ICollection<int> WithReverseK(ICollection<int> members)
    {
        if (members.Count < 1024)
        {
            var into = new HashSet<int>(members);
            foreach (int x in members)
            {
                foreach (int r in _reverse.Of(x))
                {
                    if (RankOf(r, x) < K)
                    {
                        into.Add(r);
                    }
                }
            }

            return into;
        }

        int high = Store.HighWater;
        var inSet = new bool[high];
        foreach (int x in members)
        {
            inSet[x] = true;
        }

        var hit = new bool[high];
        Parallel.ForEach(
            System.Collections.Concurrent.Partitioner.Create(0, high, 4096),
            new ParallelOptions { MaxDegreeOfParallelism = _knn.Threads },
            range =>
            {
                for (int r = range.Item1; r < range.Item2; r++)
                {
                    if (!Store.IsActive(r))
                    {
                        continue;
                    }

                    bool holds = inSet[r];
                    Neighbor[] list = _lists[r];
                    int n = Math.Min(K, _listCount[r]);
                    for (int i = 0; i < n && !holds; i++)
                    {
                        holds = inSet[list[i].Slot];
                    }

                    hit[r] = holds;
                }
            });
        var result = new List<int>();
        for (int slot = 0; slot < high; slot++)
        {
            if (hit[slot])
            {
                result.Add(slot);
            }
        }

        return result;
    }

    private int RankOf(int r, int x)
    {
        Neighbor[] list = _lists[r];
        int n = Math.Min(K, _listCount[r]);
        for (int i = 0; i < n; i++)
        {
            if (list[i].Slot == x)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private void RecomputeDerived(IEnumerable<int> kdSet, IEnumerable<int> lrdSet, IEnumerable<int> scoreSet)
    {
        // Each stage reads only what the stage before wrote, and each member's values only its own list: the members
        // of a stage are independent, so large stages (a batch of inserts, a rebuild) run in parallel.
        ForEachMember(kdSet, s =>
        {
            ReadOnlySpan<Neighbor> n = Neighbors(s);
            _kd[s] = n[K - 1].Distance;
            _lid[s] = ScoreMath.Lid(n, K);
        });

        // SLOF and DAO read only k-distances and LIDs, which change for kdSet; so they change for kdSet and its reverse
        // neighbours, which is lrdSet. LOF reads lrds and needs one ring more.
        ForEachMember(lrdSet, s =>
        {
            ReadOnlySpan<Neighbor> n = Neighbors(s);
            _lrd[s] = ScoreMath.Lrd(n, K, _kd);
            _slof[s] = ScoreMath.Slof(n, K, _kd[s], _kd);
            _dao[s] = ScoreMath.Dao(n, K, _kd[s], _kd, _lid);
        });

        ForEachMember(scoreSet, s => _lof[s] = ScoreMath.Lof(Neighbors(s), K, _lrd[s], _lrd));
    }

    private void ForEachMember(IEnumerable<int> slots, Action<int> body)
    {
        const int parallelFrom = 4096;
        if (_knn.Threads < 2 || slots is ICollection<int> { Count: < parallelFrom })
        {
            foreach (int s in slots)
            {
                body(s);
            }

            return;
        }

        int[] all = [.. slots];
        Parallel.ForEach(
            System.Collections.Concurrent.Partitioner.Create(0, all.Length, parallelFrom / 4),
            new ParallelOptions { MaxDegreeOfParallelism = _knn.Threads },
            range =>
            {
                for (int i = range.Item1; i < range.Item2; i++)
                {
                    body(all[i]);
                }
            });
    }

    private void EnsureCapacity()
    {
        int cap = Store.Capacity;
        if (_lists.Length == cap)
        {
            return;
        }

        Array.Resize(ref _lists, cap);
        Array.Resize(ref _listCount, cap);
        _reverse.Resize(cap);
        Array.Resize(ref _multiplicity, cap);
        Array.Resize(ref _kd, cap);
        Array.Resize(ref _thresholdSq, cap);
        Array.Resize(ref _lid, cap);
        Array.Resize(ref _lrd, cap);
        Array.Resize(ref _lof, cap);
        Array.Resize(ref _slof, cap);
        Array.Resize(ref _dao, cap);
        Array.Resize(ref _slotEpoch, cap);
    }
}
