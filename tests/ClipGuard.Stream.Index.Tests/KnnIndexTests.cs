using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index.Faiss;

namespace ClipGuard.Stream.Index.Tests;

public sealed class KnnIndexTests : IDisposable
{
    private const int K = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-index-tests-").FullName;

    public static TheoryData<KnnBackend, double> Backends => new()
    {
        { KnnBackend.FaissFlat, 0.999 },
        { KnnBackend.FaissIvfFlat, 0.95 },
        { KnnBackend.FaissHnsw, 0.95 },
        { KnnBackend.USearchHnsw, 0.95 },
        { KnnBackend.IvfSimd, 0.95 },
    };

    public static TheoryData<KnnBackend> AllBackends => new(Enum.GetValues<KnnBackend>());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Exact_backend_matches_a_brute_force_scan_with_the_canonical_distance()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(1500, 40, seed: 1);
        using IKnnIndex index = KnnIndexFactory.Create(Clustered.Options(KnnBackend.Exact));
        index.Add(ids, vectors);
        KnnResult result = index.Search(queries, K);
        int d = Clustered.Dimension;
        for (int q = 0; q < 40; q++)
        {
            float[] query = queries[(q * d)..((q + 1) * d)];
            var expected = Enumerable.Range(0, ids.Length)
                .Select(i => (Id: ids[i], Dist: Math.Sqrt(Distances.SquaredDifference<float>(query, vectors.AsSpan(i * d, d)))))
                .OrderBy(x => x.Dist).ThenBy(x => x.Id).Take(K).ToArray();
            Assert.Equal(expected.Select(x => x.Id), result.IdsOf(q).ToArray());
            Assert.Equal(expected.Select(x => x.Dist), result.DistancesOf(q).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Approximate_backends_reach_their_recall_against_exact_on_clustered_data(KnnBackend backend, double minRecall)
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(4000, 200, seed: 2);
        using IKnnIndex exact = Build(KnnBackend.Exact, ids, vectors);
        using IKnnIndex ann = Build(backend, ids, vectors);
        KnnResult truth = exact.Search(queries, K);
        KnnResult found = ann.Search(queries, K);
        double recall = Clustered.Recall(truth, found);
        Assert.True(recall >= minRecall, $"{backend} recall@{K} = {recall:F4} < {minRecall}");
        Assert.Equal(4000, ann.Count);
        // Distances agree with exact ones to float32 rounding wherever the same neighbour was found.
        for (int i = 0; i < truth.Ids.Length; i++)
        {
            int j = Array.IndexOf(found.Ids, truth.Ids[i], (i / K) * K, K);
            if (j >= 0)
            {
                Assert.Equal(truth.Distances[i], found.Distances[j], 1e-3 * (1 + truth.Distances[i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Removed_ids_never_come_back_and_the_rest_are_still_found(KnnBackend backend)
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(3000, 100, seed: 3);
        using IKnnIndex index = Build(backend, ids, vectors);
        // Remove a third, including every query's current nearest neighbours, so a stale entry would show.
        var removed = new HashSet<long>(ids.Where((_, i) => i % 3 == 0));
        removed.UnionWith(index.Search(queries, 4).Ids);
        Assert.Equal(removed.Count, index.Remove(removed.ToArray()));
        Assert.Equal(0, index.Remove(removed.Take(5).ToArray()));
        Assert.Equal(ids.Length - removed.Count, index.Count);

        (long[] keptIds, float[] keptVectors) = Subset(ids, vectors, id => !removed.Contains(id));
        using IKnnIndex exact = Build(KnnBackend.Exact, keptIds, keptVectors);
        KnnResult found = index.Search(queries, K);
        Assert.DoesNotContain(found.Ids, removed.Contains);
        Assert.DoesNotContain(-1L, found.Ids);
        double recall = Clustered.Recall(exact.Search(queries, K), found);
        Assert.True(recall >= (backend is KnnBackend.Exact or KnnBackend.FaissFlat ? 0.999 : 0.93), $"{backend} recall after removal {recall:F4}");
    }

    [Fact]
    public void Hnsw_rebuilds_past_the_tombstone_fraction_and_a_removed_id_can_return_with_a_new_vector()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(2000, 50, seed: 4);
        using FaissKnnIndex index = Hnsw(ids, vectors, rebuildFraction: 0.1);
        index.Remove(ids[..150]);
        Assert.Equal(150, index.Tombstones);
        Assert.Equal(2000, index.NativeTotal);
        index.Remove(ids[150..250]);
        Assert.Equal(0, index.Tombstones);
        Assert.Equal(1750, index.NativeTotal);

        index.Remove(ids[250..260]);
        int d = Clustered.Dimension;
        // Id ids[255] comes back holding the first query's vector: it must be found at distance 0, and only once.
        index.Add([ids[255]], queries.AsSpan(0, d));
        Assert.Equal(0, index.Tombstones);
        KnnResult r = index.Search(queries.AsSpan(0, d), K);
        Assert.Equal(ids[255], r.IdsOf(0)[0]);
        Assert.Equal(0, r.DistancesOf(0)[0]);
        Assert.Single(r.IdsOf(0).ToArray(), ids[255]);
    }

    [Fact]
    public void Hnsw_tombstones_that_crowd_the_neighbourhood_are_over_fetched_past()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(2000, 20, seed: 5);
        using FaissKnnIndex index = Hnsw(ids, vectors, rebuildFraction: 1);
        // Tombstone each query's 40 nearest: the first over-fetch comes back short and the search must widen.
        long[] crowd = index.Search(queries, 40).Ids.Distinct().ToArray();
        index.Remove(crowd);
        Assert.Equal(crowd.Length, index.Tombstones);
        KnnResult found = index.Search(queries, K);
        Assert.DoesNotContain(found.Ids, new HashSet<long>(crowd).Contains);
        Assert.DoesNotContain(-1L, found.Ids);
        Assert.Equal(crowd.Length, index.Tombstones);

        // Tombstoning most of a cluster leaves its layer-0 component nearly empty: over-fetch cannot walk out of it,
        // so the index rebuilds rather than answer short.
        long[] most = index.Search(queries, 100).Ids.Distinct().ToArray();
        index.Remove(most);
        Assert.True(index.Count > 300, $"{index.Count} live");
        found = index.Search(queries, K);
        Assert.Equal(0, index.Tombstones);
        Assert.DoesNotContain(-1L, found.Ids);
        Assert.DoesNotContain(found.Ids, new HashSet<long>(most.Concat(crowd)).Contains);
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Save_then_load_answers_every_query_identically(KnnBackend backend)
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(2500, 60, seed: 6);
        string path = Path.Combine(_dir, $"{backend}.knn");
        KnnIndexOptions options = Clustered.Options(backend);
        using IKnnIndex index = Build(backend, ids, vectors);
        index.Remove(ids[..100]);
        index.Save(path);
        KnnResult before = index.Search(queries, K);
        using IKnnIndex loaded = KnnIndexFactory.Load(path, options);
        Assert.Equal(backend, loaded.Backend);
        Assert.Equal(index.Count, loaded.Count);
        KnnResult after = loaded.Search(queries, K);
        Assert.Equal(before.Ids, after.Ids);
        Assert.Equal(before.Distances, after.Distances);
        Assert.Throws<ArgumentException>(() => loaded.Add([ids[200]], vectors.AsSpan(0, Clustered.Dimension)));
        loaded.Add([ids[0]], vectors.AsSpan(0, Clustered.Dimension));
        Assert.Equal(index.Count + 1, loaded.Count);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp-*"));
    }

    [Theory]
    [InlineData(KnnBackend.Exact)]
    [InlineData(KnnBackend.FaissFlat)]
    [InlineData(KnnBackend.USearchHnsw)]
    [InlineData(KnnBackend.IvfSimd)]
    public void A_flipped_byte_or_a_truncation_is_reported_before_anything_loads(KnnBackend backend)
    {
        (long[] ids, float[] vectors, _) = Clustered.Make(500, 0, seed: 7);
        string path = Path.Combine(_dir, "index.knn");
        using (IKnnIndex index = Build(backend, ids, vectors))
        {
            index.Save(path);
        }

        byte[] good = File.ReadAllBytes(path);
        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        SnapshotCorruptException e = Assert.Throws<SnapshotCorruptException>(() => KnnIndexFactory.Load(path, Clustered.Options(backend)));
        Assert.Contains("checksum", e.Problem);

        File.WriteAllBytes(path, good[..(good.Length - 1000)]);
        Assert.Throws<SnapshotCorruptException>(() => KnnIndexFactory.Load(path, Clustered.Options(backend)));

        File.WriteAllBytes(path, good);
        KnnIndexOptions wrong = Clustered.Options(backend == KnnBackend.Exact ? KnnBackend.FaissFlat : KnnBackend.Exact);
        Assert.Throws<KnnIndexException>(() => KnnIndexFactory.Load(path, wrong));
        using IKnnIndex loaded = KnnIndexFactory.Load(path, Clustered.Options(backend));
        Assert.Equal(500, loaded.Count);
    }

    [Fact]
    public void Search_breadth_can_be_retuned_without_a_rebuild()
    {
        (long[] ids, float[] vectors, float[] queries) = Clustered.Make(4000, 200, seed: 9);
        using IKnnIndex exact = Build(KnnBackend.Exact, ids, vectors);
        KnnResult truth = exact.Search(queries, K);
        KnnIndexOptions options = Clustered.Options(KnnBackend.FaissIvfFlat);
        using IKnnIndex ivf = KnnIndexFactory.Create(options);
        ivf.Add(ids, vectors);
        options.IvfProbes = 1;
        double narrow = Clustered.Recall(truth, ivf.Search(queries, K));
        ivf.ApplySearchOptions(options);
        double one = Clustered.Recall(truth, ivf.Search(queries, K));
        options.IvfProbes = 32;
        ivf.ApplySearchOptions(options);
        double all = Clustered.Recall(truth, ivf.Search(queries, K));
        Assert.True(narrow > one, $"changing the caller's options object alone must not retune ({narrow} vs {one})");
        Assert.True(all > 0.999 && one < 0.95, $"recall with 1 probe {one:F3}, with every list {all:F4}");
        Assert.Throws<ArgumentException>(() => ivf.ApplySearchOptions(Clustered.Options(KnnBackend.FaissHnsw)));
    }

    [Fact]
    public void Native_failures_surface_with_faiss_own_message()
    {
        using IKnnIndex index = KnnIndexFactory.Create(Clustered.Options(KnnBackend.FaissHnsw));
        var handle = (FaissIndexHandle)typeof(FaissKnnIndex)
            .GetField("_index", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(index)!;
        KnnIndexException e = Assert.Throws<KnnIndexException>(() => FaissParameterSpaceHandle.Apply(handle, "no_such_parameter", 1));
        Assert.Contains("no_such_parameter", e.Message);

        string garbage = Path.Combine(_dir, "garbage.faiss");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        int code = FaissNative.ReadIndex(garbage, 0, out IntPtr pointer);
        Assert.NotEqual(0, code);
        Assert.Equal(IntPtr.Zero, pointer);
        Assert.False(string.IsNullOrWhiteSpace(FaissNative.LastError));
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_reason()
    {
        using IKnnIndex ivf = KnnIndexFactory.Create(Clustered.Options(KnnBackend.FaissIvfFlat));
        (long[] ids, float[] vectors, _) = Clustered.Make(10, 0, seed: 8);
        KnnIndexException tooFew = Assert.Throws<KnnIndexException>(() => ivf.Add(ids, vectors));
        Assert.Contains("at least 32 vectors", tooFew.Message);
        using IKnnIndex simd = KnnIndexFactory.Create(Clustered.Options(KnnBackend.IvfSimd));
        Assert.Contains("at least 32 vectors", Assert.Throws<KnnIndexException>(() => simd.Add(ids, vectors)).Message);
        Assert.Equal(0, simd.Count);

        using IKnnIndex flat = KnnIndexFactory.Create(Clustered.Options(KnnBackend.FaissFlat));
        Assert.Throws<ArgumentException>(() => flat.Add([1, 1], new float[2 * Clustered.Dimension]));
        Assert.Throws<ArgumentException>(() => flat.Add([-5], new float[Clustered.Dimension]));
        Assert.Throws<ArgumentException>(() => flat.Add([1], new float[Clustered.Dimension - 1]));
        Assert.Throws<ArgumentException>(() => KnnIndexFactory.Create(new KnnIndexOptions { Dimension = 0, HnswRebuildFraction = 2 }));
        KnnResult empty = flat.Search(new float[Clustered.Dimension], 3);
        Assert.Equal([-1L, -1L, -1L], empty.Ids);
        Assert.All(empty.Distances, x => Assert.Equal(double.PositiveInfinity, x));
    }

    private static IKnnIndex Build(KnnBackend backend, long[] ids, float[] vectors) => Clustered.Build(Clustered.Options(backend), ids, vectors);

    private static FaissKnnIndex Hnsw(long[] ids, float[] vectors, double rebuildFraction)
    {
        KnnIndexOptions options = Clustered.Options(KnnBackend.FaissHnsw);
        options.HnswRebuildFraction = rebuildFraction;
        var index = (FaissKnnIndex)KnnIndexFactory.Create(options);
        index.Add(ids, vectors);
        return index;
    }

    private static (long[] Ids, float[] Vectors) Subset(long[] ids, float[] vectors, Func<long, bool> keep)
    {
        int d = Clustered.Dimension;
        var keptIds = new List<long>();
        var kept = new List<float>();
        for (int i = 0; i < ids.Length; i++)
        {
            if (keep(ids[i]))
            {
                keptIds.Add(ids[i]);
                kept.AddRange(vectors.AsSpan(i * d, d).ToArray());
            }
        }

        return (keptIds.ToArray(), kept.ToArray());
    }
}
