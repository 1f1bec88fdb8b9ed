using ClipGuard.Stream.Index.Ivf;

namespace ClipGuard.Stream.Index.Tests;

/// <summary>What the IVF + SIMD-kernel backend adds to the shared contract (KnnIndexTests).</summary>
public sealed class IvfSimdIndexTests : IDisposable
{
    private const int K = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-ivfsimd-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Probing_every_list_is_exact_search_with_the_canonical_distances()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(3000, 80, seed: 21);
        using IKnnIndex exact = Clustered.Build(Clustered.Options(KnnBackend.Exact), ids, vectors);
        KnnIndexOptions options = Clustered.Options(KnnBackend.IvfSimd);
        options.IvfProbes = options.IvfLists;
        using IKnnIndex ivf = Clustered.Build(options, ids, vectors);
        KnnResult truth = exact.Search(queries, K);
        KnnResult found = ivf.Search(queries, K);
        Assert.Equal(truth.Ids, found.Ids);
        Assert.Equal(truth.Distances, found.Distances);
    }

    [Fact]
    public void Probes_retune_recall_without_a_rebuild_and_found_distances_are_exact()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(4000, 200, seed: 22);
        using IKnnIndex exact = Clustered.Build(Clustered.Options(KnnBackend.Exact), ids, vectors);
        KnnResult truth = exact.Search(queries, K);
        KnnIndexOptions options = Clustered.Options(KnnBackend.IvfSimd);
        options.IvfProbes = 1;
        using IKnnIndex ivf = Clustered.Build(options, ids, vectors);
        KnnResult one = ivf.Search(queries, K);
        options.IvfProbes = 8;
        ivf.ApplySearchOptions(options);
        KnnResult eight = ivf.Search(queries, K);
        double r1 = Clustered.Recall(truth, one), r8 = Clustered.Recall(truth, eight);
        Assert.True(r8 > r1 && r8 > 0.97, $"recall with 1 probe {r1:F4}, with 8 {r8:F4}");
        // A neighbour found is reported with exactly the exact backend's distance (same kernel, same refinement).
        var exactDistance = new Dictionary<(int, long), double>();
        for (int i = 0; i < truth.Ids.Length; i++)
        {
            exactDistance[(i / K, truth.Ids[i])] = truth.Distances[i];
        }

        for (int i = 0; i < eight.Ids.Length; i++)
        {
            if (exactDistance.TryGetValue((i / K, eight.Ids[i]), out double d))
            {
                Assert.Equal(d, eight.Distances[i]);
            }
        }

        Assert.Throws<ArgumentException>(() => ivf.ApplySearchOptions(Clustered.Options(KnnBackend.FaissIvfFlat)));
    }

    [Fact]
    public void Training_gives_every_list_members_and_later_adds_join_their_nearest_list()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(4000, 50, seed: 23);
        KnnIndexOptions options = Clustered.Options(KnnBackend.IvfSimd);
        using var ivf = (IvfSimdIndex)Clustered.Build(options, ids[..3000], vectors[..(3000 * Clustered.Dimension)]);
        Assert.Equal(32, ivf.Lists);
        // k-means++ seeds are sample points and FAISS keeps no list empty, so the spread stays moderate.
        Assert.InRange(ivf.Imbalance, 1.0, 3.0);
        ivf.Add(ids[3000..], vectors.AsSpan(3000 * Clustered.Dimension));
        Assert.Equal(4000, ivf.Count);
        using IKnnIndex exact = Clustered.Build(Clustered.Options(KnnBackend.Exact), ids, vectors);
        double recall = Clustered.Recall(exact.Search(queries, K), ivf.Search(queries, K));
        Assert.True(recall > 0.95, $"recall {recall:F4}");
    }

    [Fact]
    public void An_untrained_index_saves_and_loads_empty_and_trains_on_its_first_add()
    {
        string path = Path.Combine(_dir, "empty.knn");
        KnnIndexOptions options = Clustered.Options(KnnBackend.IvfSimd);
        using (IKnnIndex empty = KnnIndexFactory.Create(options))
        {
            Assert.Equal([-1L], empty.Search(new float[Clustered.Dimension], 1).Ids);
            empty.Save(path);
        }

        using var loaded = (IvfSimdIndex)KnnIndexFactory.Load(path, options);
        Assert.Equal(0, loaded.Count);
        Assert.Equal(0, loaded.Lists);
        (long[] ids, float[] vectors, _) = Clustered.Make(500, 0, seed: 24);
        loaded.Add(ids, vectors);
        Assert.Equal(32, loaded.Lists);
        Assert.Equal(500, loaded.Count);
    }
}
