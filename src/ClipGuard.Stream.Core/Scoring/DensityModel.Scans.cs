using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Scoring;

// A stream sample is searched twice: once when it arrives (its novelty score) and once when it is admitted, a
// hold-back later (its own list and the lists it enters). The first search can do the second's work: it keeps the
// sample's nearest ListLength members and the members whose list it may enter, and the admission corrects that scan
// for what changed in between (members added since, members gone, thresholds that grew), exactly, instead of another
// pass over the whole reference.
public sealed partial class DensityModel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    // Changes since which a scan can still be corrected: older scans are searched again.
    private const int ScanLogLength = 1 << 16;

    // γ_d = d·u / (1 − d·u) for T's unit roundoff u: the relative error bound of a d-term dot product.
    private double DotErrorFactor
    {
        get
        {
            double u = double.CreateTruncating(T.BitIncrement(T.One) - T.One) / 2, du = Dimension * u;
            return du / (1 - du);
        }
    }

    private long _epoch;
    private long _scanFloor;
    private long[] _slotEpoch;
    private readonly List<(long Epoch, int Slot)> _addLog = [];
    private readonly List<(long Epoch, int Slot)> _grownLog = [];

    /// <summary>Admissions that reused the search of their arrival instead of a pass of their own, since the start.</summary>
    public long ScansReused { get; private set; }

    /// <summary>
    /// A new point's exact search against the model as it stood at one moment: its nearest <see cref="ListLength"/>
    /// points (canonical distances, identical points included) and the members whose list it may enter. Kept by the
    /// caller from the point's novelty query to its insertion (<see cref="InsertMany(ReadOnlySpan{T}, IReadOnlyList{AdmissionScan?}?)"/>).
    /// </summary>
    public sealed class AdmissionScan
    {
        internal AdmissionScan(DensityModel<T> model, long epoch, Neighbor[] own, int[] candidates)
        {
            Model = model;
            Epoch = epoch;
            Own = own;
            Candidates = candidates;
        }

        internal DensityModel<T> Model { get; }

        internal long Epoch { get; }

        internal Neighbor[] Own { get; }

        internal int[] Candidates { get; }
    }

    /// <summary>
    /// <see cref="ScoreQueries(ReadOnlySpan{T})"/> that also keeps each row's search for a later insertion
    /// (<paramref name="scans"/>, one per row; null where none was kept: with a query index, a set too small, or a row
    /// with too many identical points). The scores are the same, bit for bit.
    /// </summary>
    public QueryResult[] ScoreQueries(ReadOnlySpan<T> rows, AdmissionScan?[] scans)
    {
        ArgumentNullException.ThrowIfNull(scans);
        EnsureReady();
        int d = Dimension, m = rows.Length / d;
        if (scans.Length != m)
        {
            throw new ArgumentException($"{scans.Length} scan slots for {m} rows", nameof(scans));
        }

        Array.Clear(scans);
        if (_queryIndex is not null || _frozen || Store.Count <= ListLength + 1)
        {
            return ScoreQueries(rows);
        }

        (Neighbor[] Own, List<int> Candidates)[] found = _knn.SearchForInsert(rows, ListLength, _thresholdSq);
        var results = new QueryResult[m];
        for (int i = 0; i < m; i++)
        {
            // The query's neighbours leave out a stored point identical to it (the query itself under the duplicate
            // policy), as SearchQueries does; the rest of the exact ListLength nearest are its k nearest.
            Neighbor[] own = found[i].Own;
            Neighbor[] neighbors = [.. own.Where(static n => n.Distance != 0).Take(K)];
            if (neighbors.Length < K || own.Length < ListLength)
            {
                results[i] = ScoreNeighborhood(_knn.SearchQueries(rows.Slice(i * d, d), K)[0]);
                continue;
            }

            results[i] = ScoreNeighborhood(neighbors);
            scans[i] = new AdmissionScan(this, _epoch, own, [.. found[i].Candidates]);
        }

        return results;
    }

    /// <summary>A slot holds the same point now as at <paramref name="epoch"/>.</summary>
    private bool Unchanged(int slot, long epoch) => Store.IsActive(slot) && _slotEpoch[slot] <= epoch;

    /// <summary>Whether a kept scan belongs to this model and can still be corrected.</summary>
    private bool Usable(AdmissionScan? scan) => scan is not null && ReferenceEquals(scan.Model, this) && scan.Epoch >= _scanFloor;

    /// <summary>
    /// Kept scans brought up to date for the rows of one <see cref="InsertMany(ReadOnlySpan{T}, IReadOnlyList{AdmissionScan?}?)"/>
    /// (<paramref name="reuse"/>: their indices, each with a usable scan): per row, its own list and the members whose
    /// list it may enter against the points stored now, or null where fewer than k neighbours are left (the row is
    /// searched instead).
    /// </summary>
    private (Neighbor[] Own, List<int> Candidates, Neighbor Bound)?[] Corrected(ReadOnlySpan<T> rows, List<int> reuse, IReadOnlyList<AdmissionScan?> scans)
    {
        int d = Dimension;
        var result = new (Neighbor[] Own, List<int> Candidates, Neighbor Bound)?[reuse.Count];
        if (reuse.Count == 0)
        {
            return result;
        }

        // The points added since the oldest of the scans (about a hold-back's worth of admissions), and every row's dot
        // product with each, computed in tiles of rows so that each added point is read once per tile.
        long oldest = reuse.Min(i => scans[i]!.Epoch);
        var added = new List<(int Slot, long Epoch)>();
        for (int i = FirstAfter(_addLog, oldest); i < _addLog.Count; i++)
        {
            (long epoch, int s) = _addLog[i];
            if (Store.IsActive(s) && _slotEpoch[s] == epoch)
            {
                added.Add((s, epoch));
            }
        }

        var x = new T[reuse.Count * d];
        for (int r = 0; r < reuse.Count; r++)
        {
            rows.Slice(reuse[r] * d, d).CopyTo(x.AsSpan(r * d, d));
        }

        int a = added.Count;
        var dots = new double[reuse.Count * a];
        const int Tile = 16;
        Parallel.For(0, (reuse.Count + Tile - 1) / Tile, new ParallelOptions { MaxDegreeOfParallelism = _knn.Threads }, t =>
            DotTile(x, t * Tile, Math.Min(reuse.Count, (t + 1) * Tile), added, dots));

        for (int r = 0; r < reuse.Count; r++)
        {
            result[r] = Corrected(scans[reuse[r]]!, x.AsSpan(r * d, d), added, dots.AsSpan(r * a, a));
        }

        return result;
    }

    /// <summary>Rows r0..r1 of <paramref name="x"/> against every added point (optimized at once: it runs a few times per batch, too rarely for tiering to reach its loops early).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotTile(T[] x, int r0, int r1, List<(int Slot, long Epoch)> added, double[] dots)
    {
        int d = Dimension, a = added.Count;
        for (int j = 0; j < a; j++)
        {
            ReadOnlySpan<T> row = Store.Row(added[j].Slot);
            for (int r = r0; r < r1; r++)
            {
                dots[(r * a) + j] = double.CreateTruncating(TensorPrimitives.Dot(x.AsSpan(r * d, d), row));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (Neighbor[] Own, List<int> Candidates, Neighbor Bound)? Corrected(AdmissionScan scan, ReadOnlySpan<T> vector, List<(int Slot, long Epoch)> added, ReadOnlySpan<double> dots)
    {
        long e0 = scan.Epoch;
        var own = new List<Neighbor>(ListLength + 8);
        foreach (Neighbor n in scan.Own)
        {
            if (Unchanged(n.Slot, e0))
            {
                own.Add(n);
            }
        }

        var candidates = new HashSet<int>();
        foreach (int s in scan.Candidates)
        {
            if (Unchanged(s, e0))
            {
                candidates.Add(s);
            }
        }

        // Points added since: screened by the dot product with a proven error bound, then the survivors' canonical
        // distances. A point joins the own list if it may lie within the scan's last neighbour, and the candidates if
        // the new point may enter its list.
        Neighbor bound = scan.Own[^1];
        double boundSq = ToSquared(bound.Distance) * (1 + 1e-12);
        double xNorm = Distances.SquaredNorm(vector), xLength = Math.Sqrt(xNorm), gamma = DotErrorFactor;
        for (int j = 0; j < added.Count; j++)
        {
            (int s, long epoch) = added[j];
            if (epoch <= e0)
            {
                continue;
            }

            // |fl(x·a) − x·a| ≤ γ_d Σ|x_i a_i| ≤ γ_d |x||a| in any summation order (Cauchy–Schwarz); the norms are
            // float64 sums, good to far below the 1e-12 slack.
            double aNorm = Store.SqNorm(s);
            double margin = (2 * gamma * xLength * Math.Sqrt(aNorm)) + (1e-12 * (xNorm + aNorm));
            double low = xNorm + aNorm - (2 * dots[j]) - margin;
            bool mayBeOwn = low <= boundSq, mayEnter = low <= _thresholdSq[s];
            if (mayBeOwn || mayEnter)
            {
                var entry = new Neighbor(s, CanonicalDistance(vector, s));
                if (mayBeOwn)
                {
                    own.Add(entry);
                }

                if (mayEnter)
                {
                    candidates.Add(s);
                }
            }
        }

        // Members whose threshold grew since (a re-queried list) may take it now although the scan screened them out.
        for (int i = FirstAfter(_grownLog, e0); i < _grownLog.Count; i++)
        {
            int s = _grownLog[i].Slot;
            if (Unchanged(s, e0))
            {
                candidates.Add(s);
            }
        }

        // Exact up to the scan's last neighbour: every point nearer than it was then in the list, or was added since.
        own.Sort();
        int keep = 0;
        while (keep < own.Count && keep < ListLength && own[keep].CompareTo(bound) <= 0)
        {
            keep++;
        }

        return keep < K ? null : ([.. own.GetRange(0, keep)], [.. candidates], bound);
    }

    private static int FirstAfter(List<(long Epoch, int Slot)> log, long epoch)
    {
        int lo = 0, hi = log.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (log[mid].Epoch <= epoch)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A new point took <paramref name="slot"/>.</summary>
    private void LogAdded(int slot)
    {
        _epoch++;
        _slotEpoch[slot] = _epoch;
        Append(_addLog, slot);
    }

    /// <summary>A point left <paramref name="slot"/>.</summary>
    private void LogRemoved() => _epoch++;

    /// <summary>Member <paramref name="slot"/>'s entry threshold grew (its list was re-queried or set anew).</summary>
    private void LogGrown(int slot)
    {
        _epoch++;
        Append(_grownLog, slot);
    }

    /// <summary>Every kept scan is void (the lists were rebuilt).</summary>
    private void VoidScans()
    {
        _epoch++;
        _scanFloor = _epoch;
        _addLog.Clear();
        _grownLog.Clear();
    }

    private void Append(List<(long Epoch, int Slot)> log, int slot)
    {
        log.Add((_epoch, slot));
        if (log.Count > ScanLogLength)
        {
            // Scans older than the first kept entry can no longer be corrected.
            int drop = log.Count / 2;
            _scanFloor = Math.Max(_scanFloor, log[drop - 1].Epoch);
            log.RemoveRange(0, drop);
        }
    }
}
