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
