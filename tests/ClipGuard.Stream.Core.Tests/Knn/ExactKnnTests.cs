using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Knn;

/// <summary>The blocked kernel plus refinement must equal a plain full scan with the canonical distance.</summary>
public sealed class ExactKnnTests
{
    [Theory]
    [InlineData(1000, 37, 16, DistanceMetric.Euclidean)]
    [InlineData(700, 512, 32, DistanceMetric.Euclidean)]
    [InlineData(700, 64, 16, DistanceMetric.Cosine)]
    public void FloatKernelEqualsCanonicalFullScan(int n, int dim, int k, DistanceMetric metric)
    {
        Matrix<float> data = MetricSpace.Prepare(TestData.Blobs(n, dim, n + dim).Convert<float>(), metric);
        var store = new VectorStore<float>(dim, n);
        for (int i = 0; i < n; i++)
        {
            store.Add(data.RowReadOnly(i));
        }

        var knn = new ExactKnn<float>(store, metric, threads: 2);
        int[] slots = Enumerable.Range(0, n).ToArray();
        Neighbor[][] found = knn.SearchMembers(slots, k);
        for (int q = 0; q < n; q++)
        {
            Assert.Equal(BruteForce(store, data.RowReadOnly(q), q, k, metric), found[q]);
        }
    }

    [Fact]
    public void TiesOnAnIntegerGridAreBrokenBySlotAndNeverMissed()
    {
        // Points on a small integer grid: many neighbours share exactly the same distance, so the candidate
        // threshold admits many entries and, for some queries, triggers the full-scan fallback.
        const int dim = 3;
        var rng = new Random(3);
        var store = new VectorStore<double>(dim);
        var seen = new HashSet<(int, int, int)>();
        while (store.Count < 400)
        {
            (int a, int b, int c) p = (rng.Next(9), rng.Next(9), rng.Next(9));
            if (seen.Add(p))
            {
                store.Add(new double[] { p.a, p.b, p.c });
            }
        }

        var knn = new ExactKnn<double>(store, DistanceMetric.Euclidean, threads: 2);
        Neighbor[][] found = knn.SearchMembers(Enumerable.Range(0, store.Count).ToArray(), 20);
        for (int q = 0; q < store.Count; q++)
        {
            Assert.Equal(BruteForce(store, store.Row(q), q, 20, DistanceMetric.Euclidean), found[q]);
        }
    }

    [Fact]
    public void AQueryIdenticalToAStoredPointDoesNotSeeIt()
    {
        var store = new VectorStore<double>(2);
        store.Add(new double[] { 0, 0 });
        store.Add(new double[] { 1, 0 });
        store.Add(new double[] { 0, 2 });
        var knn = new ExactKnn<double>(store, DistanceMetric.Euclidean);
        Neighbor[] n = knn.SearchQueries(new double[] { 0, 0 }, 2)[0];
        Assert.Equal([new Neighbor(1, 1), new Neighbor(2, 2)], n);
    }

    [Fact]
    public void SingleQueryUsesReferencePartitionsAndMatchesFullScan()
    {
        Matrix<float> data = TestData.Blobs(5000, 128, 9).Convert<float>();
        var store = new VectorStore<float>(128, 5000);
        for (int i = 0; i < 4999; i++)
        {
            store.Add(data.RowReadOnly(i));
        }

        var knn = new ExactKnn<float>(store, DistanceMetric.Euclidean, threads: 2);
        Neighbor[] found = knn.SearchQueries(data.RowReadOnly(4999), 16)[0];
        Assert.Equal(BruteForce(store, data.RowReadOnly(4999), -1, 16, DistanceMetric.Euclidean), found);
    }

    private static Neighbor[] BruteForce<T>(VectorStore<T> store, ReadOnlySpan<T> query, int self, int k, DistanceMetric metric)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var all = new List<Neighbor>();
        foreach (int s in store.ActiveSlots())
        {
            if (s != self)
            {
                all.Add(new Neighbor(s, Distances.FromSquared(Distances.SquaredDifference(query, store.Row(s)), metric)));
            }
        }

        all.Sort();
        return all.Take(k).ToArray();
    }
}
