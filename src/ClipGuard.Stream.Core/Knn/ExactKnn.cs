using System.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// Exact k-nearest-neighbour search over a <see cref="VectorStore{T}"/>: the blocked SIMD kernel proposes candidates,
/// the canonical distance decides. Exact in the sense that matters here: the result equals a full scan with the
/// canonical distance, ties broken by slot.
/// </summary>
public sealed class ExactKnn<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int QueryBlock = 256;
    private long _fullScans;

    public ExactKnn(VectorStore<T> store, DistanceMetric metric, int threads = 0)
    {
        Store = store;
        Metric = metric;
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    public VectorStore<T> Store { get; }

    public DistanceMetric Metric { get; }

    public int Threads { get; }

    /// <summary>Receives the fraction of tiles done during a search.</summary>
    public IProgress<double>? Progress { get; set; }

    /// <summary>Neighbours of stored points, each excluding itself by identity (its slot).</summary>
    public Neighbor[][] SearchMembers(IReadOnlyList<int> slots, int count)
    {
        int d = Store.Dimension;
        var norms = new double[slots.Count];
        var self = new int[slots.Count];
        bool inPlace = true;
        for (int i = 0; i < slots.Count; i++)
        {
            norms[i] = Store.SqNorm(slots[i]);
            self[i] = slots[i];
            inPlace &= slots[i] == i;
        }

        // Slots 0..m−1 in order (a bulk-loaded seed, a rebuild of an unfragmented store) are the store's own first m
        // rows: the search reads them where they are instead of a copy as large as the reference (205 MB at 100,000
        // members of 512 floats), which was the start-up build's largest transient buffer.
        T[] rows = inPlace ? Store.Data : new T[slots.Count * d];
        if (!inPlace)
        {
            for (int i = 0; i < slots.Count; i++)
            {
                Store.Row(slots[i]).CopyTo(rows.AsSpan(i * d, d));
            }
        }

        return Search(rows, norms, self, count, dropIdentical: false);
    }

    /// <summary>
    /// Neighbours of new points given as contiguous rows in metric space. A stored point identical to the query is the
    /// query itself under the duplicate policy and is not reported, unless <paramref name="dropIdentical"/> is false
    /// (a general-purpose k-NN index, which must report exact matches like any other neighbour).
    /// </summary>
    public Neighbor[][] SearchQueries(ReadOnlySpan<T> rows, int count, bool dropIdentical = true)
    {
        int d = Store.Dimension;
        int m = rows.Length / d;
        var norms = new double[m];
        for (int i = 0; i < m; i++)
        {
            norms[i] = Distances.SquaredNorm(rows.Slice(i * d, d));
        }

        return Search(rows.ToArray(), norms, null, count, dropIdentical);
    }

    /// <summary>
    /// The search inserts need, for many new points in one blocked parallel pass over the stored points: each point's
    /// <paramref name="count"/> nearest stored points, and every stored point whose approximate squared distance to it
    /// lies within that stored point's threshold plus the rounding margin (the members whose neighbour list the new
    /// point may enter; the caller decides exactly). Rows are contiguous, in metric space.
    /// </summary>
    internal (Neighbor[] Own, List<int> Candidates)[] SearchForInsert(ReadOnlySpan<T> rows, int count, double[] thresholdSq)
    {
        int d = Store.Dimension;
        int m = rows.Length / d;
        T[] data = rows.ToArray();
        var norms = new double[m];
        var margins = new double[m];
        for (int i = 0; i < m; i++)
        {
            norms[i] = Distances.SquaredNorm(rows.Slice(i * d, d));
            margins[i] = GramKernel<T>.Margin(d, norms[i], Store.MaxSqNorm);
        }

        int capacity = count + Math.Max(16, count);

        // The reverse candidates cost more per stored point than the top-k alone: fewer, larger parts.
        (InsertSink[] sinks, int refParts, int block) = ScanTiles(data, norms, pointsPerPart: 2048, (q0, qn) =>
            new InsertSink(new TopKSink(qn, capacity, null), new ReverseCandidateSink(thresholdSq, margins[q0..(q0 + qn)])), progress: null);
        TopKSink[] tops = [.. sinks.Select(x => x.Top)];
        var result = new (Neighbor[] Own, List<int> Candidates)[m];
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Threads }, () => new List<(double Key, int Slot)>(capacity * refParts), (q, _, union) =>
        {
            var candidates = new List<int>();
            int first = (q / block) * refParts;
            for (int rp = 0; rp < refParts; rp++)
            {
                candidates.AddRange(sinks[first + rp].Reverse.Candidates(q % block));
            }

            result[q] = (RefineQuery(data, norms, q, -1, union, tops, refParts, block, count, count, dropIdentical: false), candidates);
            return union;
        }, _ => { });
        return result;
    }

    private Neighbor[][] Search(T[] rows, double[] norms, int[]? self, int count, bool dropIdentical)
    {
        int m = norms.Length;
        int need = count + (dropIdentical ? 1 : 0);
        int capacity = need + Math.Max(16, need);
        (TopKSink[] sinks, int refParts, int block) = ScanTiles(rows, norms, pointsPerPart: 512, (q0, qn) =>
            new TopKSink(qn, capacity, self is null ? null : self[q0..(q0 + qn)]), m > QueryBlock ? Progress : null);

        var result = new Neighbor[m][];
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Threads }, () => new List<(double Key, int Slot)>(capacity * refParts), (q, _, union) =>
        {
            result[q] = RefineQuery(rows, norms, q, self?[q] ?? -1, union, sinks, refParts, block, need, count, dropIdentical);
            return union;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// The blocked parallel pass both searches share: blocks of at most <see cref="QueryBlock"/> queries, all of one
    /// size (a multiple of 32, one panel pair), so that no thread is left with a full block while another has a small
    /// remainder; each against the stored points in one part or (when there are fewer blocks than threads) in several
    /// parts of at least about <paramref name="pointsPerPart"/> points, one sink per block and part, numbered
    /// block × parts + part.
    /// </summary>
    private (TSink[] Sinks, int RefParts, int Block) ScanTiles<TSink>(T[] rows, double[] norms, int pointsPerPart, Func<int, int, TSink> newSink, IProgress<double>? progress)
        where TSink : struct, ITileSink
    {
        int d = Store.Dimension;
        int m = norms.Length;
        int high = Store.HighWater;
        if (m == 0)
        {
            return ([], 1, QueryBlock);
        }

        int queryBlocks = (m + QueryBlock - 1) / QueryBlock;
        int block = Math.Min(QueryBlock, (((m + queryBlocks - 1) / queryBlocks) + 31) / 32 * 32);
        queryBlocks = (m + block - 1) / block;
        int refParts = queryBlocks >= Threads ? 1 : Math.Max(1, Math.Min((2 * Threads) / Math.Max(1, queryBlocks), (high / pointsPerPart) + 1));
        var sinks = new TSink[queryBlocks * refParts];
        int done = 0;
        Parallel.For(0, sinks.Length, new ParallelOptions { MaxDegreeOfParallelism = Threads }, tile =>
        {
            int qb = tile / refParts, rp = tile % refParts;
            int q0 = qb * block, qn = Math.Min(block, m - q0);
            int r0 = (int)((long)high * rp / refParts), r1 = (int)((long)high * (rp + 1) / refParts);
            TSink sink = newSink(q0, qn);
            GramKernel<T>.Scan(rows.AsSpan(q0 * d, qn * d), norms.AsSpan(q0, qn), qn, Store, r0, r1, ref sink);
            sinks[tile] = sink;
            progress?.Report((double)Interlocked.Increment(ref done) / sinks.Length);
        });
        return (sinks, refParts, block);
    }

    /// <summary>Query <paramref name="q"/>'s exact neighbours from the candidates its block's sinks kept.</summary>
    private Neighbor[] RefineQuery(
        T[] rows, double[] norms, int q, int self, List<(double Key, int Slot)> union, TopKSink[] sinks, int refParts, int block, int need, int count, bool dropIdentical)
    {
        union.Clear();
        int first = (q / block) * refParts, local = q % block;
        for (int rp = 0; rp < refParts; rp++)
        {
            sinks[first + rp].CopyTo(local, union);
        }

        return Refine(rows.AsSpan(q * Store.Dimension, Store.Dimension), norms[q], self, union, sinks, first, refParts, local, need, count, dropIdentical);
    }

    private Neighbor[] Refine(
        ReadOnlySpan<T> query, double queryNorm, int self, List<(double Key, int Slot)> union, TopKSink[] sinks,
        int firstSink, int refParts, int local, int need, int count, bool dropIdentical)
    {
        union.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        List<Neighbor> candidates;
        if (union.Count >= need)
        {
            double aNeed = union[need - 1].Key;
            double tau = aNeed + (2 * GramKernel<T>.Margin(Store.Dimension, queryNorm, Store.MaxSqNorm)) + (Math.Abs(aNeed) * 1e-12);
            for (int rp = 0; rp < refParts; rp++)
            {
                if (sinks[firstSink + rp].MayHaveDropped(local, tau))
                {
                    return FullScan(query, self, count, dropIdentical);
                }
            }

            candidates = new List<Neighbor>(union.Count);
            foreach ((double key, int slot) in union)
            {
                if (key > tau)
                {
                    break;
                }

                candidates.Add(Canonical(query, slot));
            }
        }
        else
        {
            candidates = new List<Neighbor>(union.Count);
            foreach ((_, int slot) in union)
            {
                candidates.Add(Canonical(query, slot));
            }
        }

        return Finish(candidates, count, dropIdentical);
    }

    /// <summary>Searches that fell back to a full canonical scan (too many points within rounding of the k-th).</summary>
    public long FullScans => Interlocked.Read(ref _fullScans);

    /// <summary>The fallback when many points sit within rounding distance of the k-th: every distance exactly.</summary>
    private Neighbor[] FullScan(ReadOnlySpan<T> query, int self, int count, bool dropIdentical)
    {
        Interlocked.Increment(ref _fullScans);
        var all = new List<Neighbor>(Store.Count);
        foreach (int slot in Store.ActiveSlots())
        {
            if (slot != self)
            {
                all.Add(Canonical(query, slot));
            }
        }

        return Finish(all, count, dropIdentical);
    }

    private Neighbor Canonical(ReadOnlySpan<T> query, int slot) =>
        new(slot, Distances.FromSquared(Distances.SquaredDifference(query, Store.Row(slot)), Metric));

    private static Neighbor[] Finish(List<Neighbor> candidates, int count, bool dropIdentical)
    {
        if (dropIdentical)
        {
            candidates.RemoveAll(static n => n.Distance == 0);
        }

        candidates.Sort();
        int n = Math.Min(count, candidates.Count);
        return candidates.GetRange(0, n).ToArray();
    }
}
