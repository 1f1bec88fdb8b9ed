using ClipGuard.Stream.Offline.Cleaning;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>The random reference, --shard parsing and caption normalisation.</summary>
public sealed class SamplingTests
{
    [Fact]
    public void The_reference_draw_is_sorted_distinct_in_range_and_fixed_by_the_seed()
    {
        int[] a = ReferenceSampler.Draw(1000, 100, 7);
        Assert.Equal(100, a.Length);
        Assert.Equal(a.Order(), a);
        Assert.Equal(100, a.Distinct().Count());
        Assert.All(a, r => Assert.InRange(r, 0, 999));
        Assert.Equal(a, ReferenceSampler.Draw(1000, 100, 7));
        Assert.NotEqual(a, ReferenceSampler.Draw(1000, 100, 8));
        Assert.Equal(Enumerable.Range(0, 50), ReferenceSampler.Draw(50, 100, 7));
    }

    [Fact]
    public void The_reference_draw_is_uniform_enough_that_every_row_is_picked_about_equally()
    {
        var hits = new int[20];
        for (int seed = 0; seed < 2000; seed++)
        {
            foreach (int r in ReferenceSampler.Draw(20, 5, seed))
            {
                hits[r]++;
            }
        }

        // Each row is expected 500 times; a biased shuffle (e.g. Next(0, total)) drifts far outside this band.
        Assert.All(hits, h => Assert.InRange(h, 400, 600));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData(null, 0, 1)]
    public void Shard_selections_parse(string? text, int part, int parts) => Assert.Equal(new ShardSelection(part, parts), ShardSelection.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void Bad_shard_selections_are_bad_input(string text) =>
        Assert.Contains("must be i/n", Assert.Throws<OfflineInputException>(() => ShardSelection.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Round_robin_parts_cover_every_shard_once()
    {
        var parts = Enumerable.Range(0, 3).Select(p => new ShardSelection(p, 3)).ToArray();
        Assert.All(Enumerable.Range(0, 10), i => Assert.Single(parts, p => p.Includes(i)));
    }

    [Fact]
    public void Bursts_group_captions_after_normalisation_and_count_sources()
    {
        string[] captions = ["A  Birthday cake ", "a birthday cake", "a BIRTHDAY\tcake", "a dog", "a dog"];
        string?[] sources = ["x.example", "x.example", null, "y.example", "y.example"];
        double[] scores = [3, 5, 7, 1, 1];
        var bursts = CaptionBursts.Find(captions, sources, scores, [false, true, true, false, false], minCount: 3);
        var burst = Assert.Single(bursts);
        Assert.Equal(("A  Birthday cake ", 3, 5.0, 2), (burst.Caption, burst.Count, burst.MeanScore, burst.Removed));
        Assert.Equal([new SourceCount("x.example", 2), new SourceCount("unknown", 1)], burst.Sources);
        Assert.Equal(2, CaptionBursts.Find(captions, sources, scores, new bool[5], minCount: 2).Count);
    }
}
