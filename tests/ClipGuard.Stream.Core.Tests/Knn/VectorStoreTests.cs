using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Tests.Knn;

public sealed class VectorStoreTests
{
    [Fact]
    public void GrowthStopsAtTheOwnersLimitAndOnlyPassesItByDoubling()
    {
        var store = new VectorStore<float>(4, initialCapacity: 16, maxCapacity: 100);
        for (int i = 0; i < 100; i++)
        {
            store.Add([i, 1, 2, 3]);
        }

        Assert.Equal(100, store.Capacity);
        store.Add([-1, 0, 0, 0]);
        Assert.Equal(200, store.Capacity);
        Assert.Equal(101, store.Count);
        Assert.Equal(57, store.Find([57, 1, 2, 3]));
    }

    [Fact]
    public void ReserveMakesRoomOnceAndKeepsTheRows()
    {
        var store = new VectorStore<double>(2, initialCapacity: 16);
        int slot = store.Add([3, 4]);
        store.Reserve(1000);
        Assert.Equal(1000, store.Capacity);
        Assert.Equal([3.0, 4.0], store.Row(slot).ToArray());
        Assert.Equal(25, store.SqNorm(slot));
        store.Reserve(10);
        Assert.Equal(1000, store.Capacity);
    }

    [Fact]
    public void AStoreWithoutItsContentIndexRefusesWhatNeedsIt()
    {
        var store = new VectorStore<float>(2);
        int slot = store.Add([1, 2]);
        store.DropContentIndex();
        Assert.Equal([1f, 2f], store.Row(slot).ToArray());
        Assert.Throws<InvalidOperationException>(() => store.Find([1, 2]));
        Assert.Throws<InvalidOperationException>(() => store.Add([3, 4]));
        Assert.Equal(1, store.Count);
        Assert.Throws<InvalidOperationException>(() => store.Remove(slot));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(0)]
    public void FindAgreesWithAScanThroughAddsRemovesAndSlotReuseWhateverTheHashesShare(int hashMask)
    {
        // Mask 3: four hashes for hundreds of rows, long chains; mask 0: one chain holding every row.
        var store = new VectorStore<float>(3, initialCapacity: 16, maxCapacity: int.MaxValue, hashMask);
        var rng = new Random(5);
        var present = new Dictionary<int, float[]>();
        float[] Candidate() => [rng.Next(12), rng.Next(12), rng.Next(3)];
        for (int step = 0; step < 3000; step++)
        {
            float[] v = Candidate();
            int expected = present.FirstOrDefault(p => p.Value.SequenceEqual(v), new(-1, [])).Key;
            Assert.Equal(expected, store.Find(v));
            if (expected < 0 && rng.Next(3) > 0)
            {
                int slot = store.Add(v);
                Assert.False(present.ContainsKey(slot));
                present[slot] = v;
            }
            else if (present.Count > 0 && rng.Next(2) == 0)
            {
                int victim = present.Keys.ElementAt(rng.Next(present.Count));
                float[] removed = present[victim];
                store.Remove(victim);
                present.Remove(victim);
                Assert.Equal(-1, store.Find(removed));
            }

            Assert.Equal(present.Count, store.Count);
        }

        Assert.InRange(present.Count, 50, 432);
        foreach ((int slot, float[] v) in present)
        {
            Assert.Equal(slot, store.Find(v));
        }
    }
}
