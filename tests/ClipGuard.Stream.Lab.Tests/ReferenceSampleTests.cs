using ClipGuard.Stream.Lab.Evaluation;

namespace ClipGuard.Stream.Lab.Tests;

public sealed class ReferenceSampleTests
{
    private static readonly bool[] Poisoned = [.. Enumerable.Range(0, 10_000).Select(i => i % 100 == 7)];

    [Fact]
    public void ADrawKeepsThePoisonedFractionAndRespectsExclusions()
    {
        var rng = new Random(3);
        int[] first = ReferenceSample.Draw(Poisoned, 2_000, rng);
        Assert.Equal(2_000, first.Distinct().Count());
        Assert.Equal(20, first.Count(i => Poisoned[i]));
        int[] second = ReferenceSample.Draw(Poisoned, 3_000, rng, first.ToHashSet());
        Assert.Equal(30, second.Count(i => Poisoned[i]));
        Assert.Empty(second.Intersect(first));
    }

    [Fact]
    public void ACleanDrawHoldsNoPoisonAndATinyDrawStillHoldsOne()
    {
        Assert.DoesNotContain(ReferenceSample.Draw(Poisoned, 5_000, new Random(1), clean: true), i => Poisoned[i]);
        Assert.Single(ReferenceSample.Draw(Poisoned, 20, new Random(1)), i => Poisoned[i]);
        Assert.Throws<ArgumentException>(() => ReferenceSample.Draw(Poisoned, 9_950, new Random(1), clean: true));
    }
}
