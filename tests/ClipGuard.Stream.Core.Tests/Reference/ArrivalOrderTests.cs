using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Reference;

public sealed class ArrivalOrderTests
{
    [Fact]
    public void RanksSourcesAndOrderAgreeWithAPlainListThroughAddsRemovesAndRenumbering()
    {
        // The owner keeps each member's position from Add and from the renumbering callback, as ReferenceSet does.
        var positions = new Dictionary<string, int>();
        var model = new List<(string Id, string Source)>();
        var rng = new Random(11);
        int renumbered = 0, next = 0;
        var order = new ArrivalOrder((id, position) =>
        {
            renumbered++;
            positions[id] = position;
        });
        for (int step = 0; step < 20_000; step++)
        {
            // Grow to a few hundred members, shrink, grow again: the table renumbers in place and by doubling.
            bool grow = model.Count == 0 || rng.NextDouble() < (step % 6000 < 3000 ? 0.6 : 0.4);
            if (grow)
            {
                string id = "m" + next++;
                string source = "s" + rng.Next(4);
                positions[id] = order.Add(id, source);
                model.Add((id, source));
            }
            else
            {
                int victim = rng.Next(model.Count);
                (string id, string source) = model[victim];
                order.Remove(positions[id], source);
                positions.Remove(id);
                model.RemoveAt(victim);
            }

            Assert.Equal(model.Count, order.Count);
            if (model.Count > 0)
            {
                int rank = rng.Next(model.Count);
                Assert.Equal(model[rank].Id, order.At(rank));
                string s = "s" + rng.Next(4);
                var ofSource = model.Where(m => m.Source == s).ToList();
                Assert.Equal(ofSource.Count, order.CountOf(s));
                if (ofSource.Count > 0)
                {
                    int r = rng.Next(ofSource.Count);
                    Assert.Equal(ofSource[r].Id, order.At(s, r));
                }
            }
        }

        Assert.Equal(model.Select(m => m.Id), order.InOrder());
        Assert.True(renumbered > 0, "the run never renumbered, so the callback path went untested");
    }

    [Fact]
    public void RemovingWhatIsNotThereIsRefused()
    {
        var order = new ArrivalOrder((_, _) => { });
        int a = order.Add("a", "x");
        Assert.Throws<ArgumentException>(() => order.Remove(a, "y"));
        order.Remove(a, "x");
        Assert.Throws<ArgumentException>(() => order.Remove(a, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => order.At(0));
        Assert.Equal(0, order.CountOf("x"));
    }
}
