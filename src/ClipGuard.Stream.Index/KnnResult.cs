namespace ClipGuard.Stream.Index;

/// <summary>
/// Search results for <see cref="Queries"/> queries, <see cref="K"/> per query, row-major. Where fewer than k live
/// vectors exist the row is padded with id −1 and distance +∞. Distances are in the metric's units (Euclidean, or
/// 1 − cos): canonical float64 for the exact backend, FAISS's float32 arithmetic for the others.
/// </summary>
public sealed class KnnResult
{
    public KnnResult(int queries, int k, long[] ids, double[] distances)
    {
        if (ids.Length != (long)queries * k || distances.Length != ids.Length)
        {
            throw new ArgumentException($"expected {queries} x {k} ids and distances, got {ids.Length} and {distances.Length}");
        }

        Queries = queries;
        K = k;
        Ids = ids;
        Distances = distances;
    }

    public int Queries { get; }

    /// <summary>A result with every slot empty (id −1, distance +∞), for a backend to fill.</summary>
    internal static KnnResult Empty(int queries, int k)
    {
        var ids = new long[queries * k];
        var distances = new double[queries * k];
        Array.Fill(ids, -1);
        Array.Fill(distances, double.PositiveInfinity);
        return new KnnResult(queries, k, ids, distances);
    }

    public int K { get; }

    public long[] Ids { get; }

    public double[] Distances { get; }

    public ReadOnlySpan<long> IdsOf(int query) => Ids.AsSpan(query * K, K);

    public ReadOnlySpan<double> DistancesOf(int query) => Distances.AsSpan(query * K, K);
}
