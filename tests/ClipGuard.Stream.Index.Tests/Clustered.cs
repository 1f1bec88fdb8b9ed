using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Index.Tests;

/// <summary>Clustered test vectors (uniform random ones would make every approximate index look equally poor).</summary>
internal static class Clustered
{
    public const int Dimension = 32;

    public static (long[] Ids, float[] Vectors, float[] Queries) Make(int rows, int queries, int seed)
    {
        (Matrix<float> all, _) = SyntheticEmbeddings.Generate(rows + queries, Dimension, clusters: Math.Max(4, rows / 200), outlierFraction: 0.02, seed);
        long[] ids = Enumerable.Range(0, rows).Select(i => 1_000L + (7L * i)).ToArray();
        return (ids, all.Data[..(rows * Dimension)], all.Data[(rows * Dimension)..]);
    }

    public static KnnIndexOptions Options(KnnBackend backend) => new()
    {
        Backend = backend,
        Dimension = Dimension,
        IvfLists = 32,
        IvfProbes = 16,
        HnswM = 16,
        HnswEfConstruction = 64,
        HnswEfSearch = 96,
    };

    /// <summary>A new index of the options' backend holding the given vectors.</summary>
    public static IKnnIndex Build(KnnIndexOptions options, long[] ids, float[] vectors)
    {
        IKnnIndex index = KnnIndexFactory.Create(options);
        index.Add(ids, vectors);
        return index;
    }

    /// <summary>Fraction of the exact top-k ids the candidate found, over all queries.</summary>
    public static double Recall(KnnResult exact, KnnResult candidate)
    {
        int hits = 0, total = 0;
        for (int q = 0; q < exact.Queries; q++)
        {
            var truth = new HashSet<long>(exact.IdsOf(q).ToArray().Where(id => id >= 0));
            total += truth.Count;
            foreach (long id in candidate.IdsOf(q))
            {
                if (truth.Contains(id))
                {
                    hits++;
                }
            }
        }

        return (double)hits / total;
    }
}
