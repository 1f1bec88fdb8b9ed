using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Scoring;

/// <summary>
/// The bar for incremental maintenance: after any sequence of inserts and deletes, the maintained k-NN, k-distance,
/// LID, lrd and all scores equal a from-scratch recomputation of the same set.
/// </summary>
public sealed class DensityModelPropertyTests
{
    [Theory]
    [InlineData(16, 8, 1)]
    [InlineData(16, 16, 2)]
    [InlineData(16, 5, 3)]
    [InlineData(512, 16, 4)]
    [InlineData(512, 8, 5)]
    public void TenThousandRandomInsertsAndDeletesMatchExactRecomputation(int dim, int k, int seed)
    {
        const int operations = 10_000;
        var rng = new Random(seed);
        Matrix<double> pool = TestData.Blobs(1500, dim, seed);
        var model = new DensityModel<double>(dim, k, DistanceMetric.Euclidean, extraNeighbors: 4, threads: 2, initialCapacity: 64);
        var live = new List<int>();
        int checks = 0;
        for (int op = 1; op <= operations; op++)
        {
            // Drift the target size so the set grows, shrinks, and passes through "not ready" at the start.
            int target = op < 2000 ? 600 : (op / 1000 % 2 == 0 ? 250 : 500);
            bool insert = live.Count == 0 || (live.Count < target ? rng.NextDouble() < 0.7 : rng.NextDouble() < 0.3);
            if (insert)
            {
                // One insert in ten repeats a live vector: the duplicate policy raises a multiplicity instead.
                ReadOnlySpan<double> row = live.Count > 0 && rng.NextDouble() < 0.1
                    ? model.Store.Row(live[rng.Next(live.Count)])
                    : pool.RowReadOnly(rng.Next(pool.Rows));
                (int slot, _) = model.Insert(row.ToArray());
                live.Add(slot);
            }
            else
            {
                int i = rng.Next(live.Count);
                model.Remove(live[i]);
                live[i] = live[^1];
                live.RemoveAt(live.Count - 1);
            }

            if (model.IsReady && (op % 997 == 0 || op == operations))
            {
                DriftReport drift = model.MeasureDrift();
                Assert.True(drift.IsExact(1e-9), $"after {op} operations: {drift}");
                checks++;
            }
        }

        Assert.True(checks >= 8, $"only {checks} checks ran");
        Assert.Equal(live.Distinct().Count(), model.Count);
        Assert.True(model.Requeries > 0, "no delete ever needed a re-query: the test does not cover that path");
    }

    /// <summary>
    /// Batched updates are an optimisation of one-by-one updates, not an approximation: two twins take the same
    /// operations, one with <c>InsertMany</c> and <c>RemoveMany</c>, one vector at a time; slots, every member's k
    /// neighbours and every score are identical (bitwise), and both equal a from-scratch recomputation. Batches repeat
    /// live points and each other, start while the set is too small for batching, and remove points more than once.
    /// </summary>
    [Theory]
    [InlineData(16, 8, 11, 2)]
    [InlineData(64, 5, 12, 0)]
    [InlineData(512, 16, 13, 4)]
    public void BatchedInsertsEqualInsertingOneByOne(int dim, int k, int seed, int extra)
    {
        var rng = new Random(seed);
        Matrix<double> pool = TestData.Blobs(1200, dim, seed);
        (DensityModel<double> batched, DensityModel<double> single) = Twins(dim, k, extra);
        var live = new List<int>();
        int batches = 0, duplicates = 0;
        for (int round = 0; round < 40; round++)
        {
            int size = round == 0 ? 3 * (k + extra) : 1 + rng.Next(80);
            var rows = new double[size * dim];
            for (int i = 0; i < size; i++)
            {
                double r = rng.NextDouble();
                ReadOnlySpan<double> row = r < 0.05 && live.Count > 0 ? batched.Store.Row(live[rng.Next(live.Count)])
                    : r < 0.1 && i > 0 ? rows.AsSpan((rng.Next(i) * dim), dim)
                    : pool.RowReadOnly(rng.Next(pool.Rows));
                duplicates += r < 0.1 ? 1 : 0;
                row.CopyTo(rows.AsSpan(i * dim, dim));
            }

            (int Slot, bool IsNewPoint)[] got = batched.InsertMany(rows);
            for (int i = 0; i < size; i++)
            {
                Assert.Equal(single.Insert(rows.AsSpan(i * dim, dim)), got[i]);
                live.Add(got[i].Slot);
            }

            batches++;
            AssertTwins(single, batched);
            List<int> victims = DrawVictims(rng, live, rng.Next(Math.Max(1, live.Count / 4)));

            bool[] left = batched.RemoveMany(victims);
            Assert.Equal(victims.Select(single.Remove), left);
            AssertTwins(single, batched);
        }

        Assert.True(duplicates > 20, $"only {duplicates} repeated rows");
        Assert.True(batched.MeasureDrift().IsExact(1e-9), batched.MeasureDrift().ToString());
        Assert.True(batched.Requeries > 0, "no batched delete needed a re-query: the test does not cover that path");
        Assert.Equal(40, batches);
    }

    [Fact]
    public void BatchedFloatInsertsEqualInsertingOneByOneAtClipWidth()
    {
        const int dim = 512, k = 16;
        Matrix<float> pool = SyntheticEmbeddings.Generate(3000, dim, 8, 0, 21).Data;
        var batched = new DensityModel<float>(dim, k, DistanceMetric.Cosine, threads: 2);
        var single = new DensityModel<float>(dim, k, DistanceMetric.Cosine, threads: 2);
        Matrix<float> prepared = MetricSpace.Prepare(pool, DistanceMetric.Cosine);
        batched.BulkLoad(SubMatrix(prepared, 0, 2000));
        single.BulkLoad(SubMatrix(prepared, 0, 2000));
        for (int start = 2000; start < 3000; start += 250)
        {
            Matrix<float> batch = SubMatrix(prepared, start, 250);
            (int Slot, bool IsNewPoint)[] got = batched.InsertMany(batch.Data);
            for (int i = 0; i < batch.Rows; i++)
            {
                Assert.Equal(single.Insert(batch.RowReadOnly(i)), got[i]);
            }

            int[] victims = [.. Enumerable.Range(start - 2000, 100)];
            Assert.Equal(victims.Select(single.Remove), batched.RemoveMany(victims));
        }

        AssertTwins(single, batched);
        Assert.True(batched.MeasureDrift().IsExact(1e-6), batched.MeasureDrift().ToString());
    }

    [Fact]
    public void AFrozenModelScoresQueriesAsBeforeAndRefusesUpdates()
    {
        Matrix<double> data = TestData.Blobs(400, 16, 17);
        Matrix<double> queries = TestData.Blobs(50, 16, 18);
        (DensityModel<double> frozen, int[] slots) = BatchScorer.Build(data, 8, DistanceMetric.Euclidean);
        (DensityModel<double> live, _) = BatchScorer.Build(data, 8, DistanceMetric.Euclidean);
        frozen.Freeze();

        Assert.True(frozen.IsFrozen);
        QueryResult[] expected = live.ScoreQueries(queries.Data);
        QueryResult[] actual = frozen.ScoreQueries(queries.Data);
        Assert.Equal(expected.Select(r => r.Scores), actual.Select(r => r.Scores));
        Assert.Equal(expected.SelectMany(r => r.Neighbors), actual.SelectMany(r => r.Neighbors));
        Assert.Equal(live.MemberScores(slots[3]), frozen.MemberScores(slots[3]));
        Assert.Throws<InvalidOperationException>(() => frozen.Insert(queries.RowReadOnly(0)));
        Assert.Throws<InvalidOperationException>(() => frozen.Remove(slots[0]));
        Assert.Throws<InvalidOperationException>(() => frozen.MeasureDrift());
        Assert.Throws<InvalidOperationException>(() => frozen.Neighbors(slots[0]).Length);
    }

    private static Matrix<float> SubMatrix(Matrix<float> m, int first, int rows)
    {
        var sub = new Matrix<float>(rows, m.Cols);
        for (int i = 0; i < rows; i++)
        {
            m.RowReadOnly(first + i).CopyTo(sub.Row(i));
        }

        return sub;
    }

    /// <summary>
    /// An admission that reuses the search of its novelty query (kept while the sample waited in a hold-back, during
    /// which other points were added, points left and lists were re-queried) leaves the model exactly as a fresh
    /// search would: two twins score the same queries (one keeping its searches) and later insert the same rows (one
    /// with the kept searches); scores, slots, every member's k neighbours and every score are identical, bit for bit.
    /// </summary>
    [Theory]
    [InlineData(16, 8, 31, 2)]
    [InlineData(64, 5, 32, 1)]
    [InlineData(512, 16, 33, 8)]
    public void AdmissionsReusingTheirQuerySearchEqualFreshSearches(int dim, int k, int seed, int extra)
    {
        var rng = new Random(seed);
        Matrix<double> pool = TestData.Blobs(3000, dim, seed);
        (DensityModel<double> plain, DensityModel<double> reusing) = Twins(dim, k, extra);
        int start = 4 * (k + extra);
        var first = new double[start * dim];
        for (int i = 0; i < start; i++)
        {
            pool.RowReadOnly(i).CopyTo(first.AsSpan(i * dim, dim));
        }

        Assert.Equal(plain.InsertMany(first), reusing.InsertMany(first));
        var live = new List<int>(Enumerable.Range(0, start));
        var waiting = new Queue<(double[] Row, DensityModel<double>.AdmissionScan? Scan)>();
        int offered = 0, stale = 0;
        for (int round = 0; round < 60; round++)
        {
            // A micro-batch arrives: scored by both, one keeping its searches; it waits three rounds before admission.
            int size = 1 + rng.Next(40);
            var rows = new double[size * dim];
            for (int i = 0; i < size; i++)
            {
                double r = rng.NextDouble();
                ReadOnlySpan<double> row = r < 0.05 && live.Count > 0 ? plain.Store.Row(live[rng.Next(live.Count)]) : pool.RowReadOnly(start + rng.Next(pool.Rows - start));
                row.CopyTo(rows.AsSpan(i * dim, dim));
            }

            var scans = new DensityModel<double>.AdmissionScan?[size];
            QueryResult[] expected = plain.ScoreQueries(rows), got = reusing.ScoreQueries(rows, scans);
            for (int i = 0; i < size; i++)
            {
                Assert.Equal(expected[i].Scores, got[i].Scores);
                Assert.Equal(expected[i].Neighbors, got[i].Neighbors);
                waiting.Enqueue((rows.AsSpan(i * dim, dim).ToArray(), scans[i]));
            }

            // Points leave (lists fall below k and are re-queried, thresholds grow), then the oldest waiting rows enter.
            List<int> victims = DrawVictims(rng, live, rng.Next(Math.Max(1, live.Count / 5)));

            Assert.Equal(plain.RemoveMany(victims), reusing.RemoveMany(victims));
            var admit = new List<(double[] Row, DensityModel<double>.AdmissionScan? Scan)>();
            while (waiting.Count > 60 || (round == 59 && waiting.Count > 0))
            {
                admit.Add(waiting.Dequeue());
            }

            if (admit.Count > 0)
            {
                double[] batch = [.. admit.SelectMany(a => a.Row)];
                (int Slot, bool IsNewPoint)[] slots = plain.InsertMany(batch);
                Assert.Equal(slots, reusing.InsertMany(batch, [.. admit.Select(a => a.Scan)]));
                live.AddRange(slots.Select(x => x.Slot));
                offered += admit.Count(a => a.Scan is not null);
                stale += admit.Count;
            }

            AssertTwins(plain, reusing);
        }

        Assert.True(reusing.ScansReused > offered / 2, $"{reusing.ScansReused} of {offered} kept searches reused ({stale} admitted)");
        Assert.True(reusing.Requeries > 0, "no delete needed a re-query: the grown-threshold path is not covered");
        Assert.True(reusing.MeasureDrift().IsExact(1e-9), reusing.MeasureDrift().ToString());
    }

    private static (DensityModel<double>, DensityModel<double>) Twins(int dim, int k, int extra) =>
        (new DensityModel<double>(dim, k, DistanceMetric.Euclidean, extraNeighbors: extra, threads: 2, initialCapacity: 32),
         new DensityModel<double>(dim, k, DistanceMetric.Euclidean, extraNeighbors: extra, threads: 2, initialCapacity: 32));

    /// <summary>Takes <paramref name="count"/> random slots out of <paramref name="live"/> (fewer if it runs out).</summary>
    private static List<int> DrawVictims(Random rng, List<int> live, int count)
    {
        var victims = new List<int>();
        for (int j = 0; j < count && live.Count > 0; j++)
        {
            int victim = rng.Next(live.Count);
            victims.Add(live[victim]);
            live[victim] = live[^1];
            live.RemoveAt(live.Count - 1);
        }

        return victims;
    }

    private static void AssertTwins<T>(DensityModel<T> expected, DensityModel<T> actual)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Store.ActiveSlots(), actual.Store.ActiveSlots());
        foreach (int slot in expected.Store.ActiveSlots())
        {
            Assert.Equal(expected.Multiplicity(slot), actual.Multiplicity(slot));
            Assert.Equal(expected.Neighbors(slot).ToArray(), actual.Neighbors(slot).ToArray());
            if (expected.IsReady)
            {
                Assert.Equal(expected.MemberScores(slot), actual.MemberScores(slot));
            }
        }
    }

    [Fact]
    public void CosineModelStaysExactUnderChurn()
    {
        const int dim = 32, k = 10;
        var rng = new Random(7);
        Matrix<double> pool = MetricSpace.Prepare(TestData.Blobs(800, dim, 7), DistanceMetric.Cosine);
        var model = new DensityModel<double>(dim, k, DistanceMetric.Cosine, threads: 2);
        var live = new List<int>();
        for (int op = 0; op < 3000; op++)
        {
            if (live.Count < 300 || rng.NextDouble() < 0.5)
            {
                live.Add(model.Insert(pool.RowReadOnly(rng.Next(pool.Rows)).ToArray()).Slot);
            }
            else
            {
                int i = rng.Next(live.Count);
                model.Remove(live[i]);
                live.RemoveAt(i);
            }
        }

        DriftReport drift = model.MeasureDrift();
        Assert.True(drift.IsExact(1e-9), drift.ToString());
    }

    [Fact]
    public void CorruptedStateIsReportedAsDriftAndRepairedByRebuild()
    {
        (DensityModel<double> model, int[] slots) = BatchScorer.Build(TestData.Blobs(300, 8, 11), 8, DistanceMetric.Euclidean);
        Assert.True(model.MeasureDrift().IsExact(0));
        model.CorruptForTest(slots[5], 123.0);
        DriftReport drift = model.MeasureDrift();
        Assert.False(drift.IsExact(1e-9));
        Assert.True(drift.MaxRelativeError[DriftQuantity.KDistance] > 1);
        model.RebuildExact();
        Assert.True(model.MeasureDrift().IsExact(0));
    }
}
