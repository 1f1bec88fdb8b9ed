using ClipGuard.Stream.Core.Calibration;

namespace ClipGuard.Stream.Core.Tests.Calibration;

public sealed class ConfidentCutTests
{
    [Fact]
    public void TwoSignalsSplitTheBudgetAndTheConfidenceByAUnionBound()
    {
        // 1 ‰ over two signals at 0.9: each signal at 0.5 ‰ with δ = 0.05, which 5,990 scores reach and 5,989 do not.
        var cut = ConfidentCut.For(20_000, 6_000, 0.001, 0.9);
        Assert.Equal(BudgetConfidence.ConfidentLevel(20_000, 0.0005, 0.05), cut.Density);
        Assert.Equal(BudgetConfidence.ConfidentLevel(6_000, 0.0005, 0.05), cut.Agreement);
        Assert.Equal(1 / 6001.0, cut.Agreement);
        Assert.Equal(BudgetConfidence.ConfidentLevel(20_000, 0.001, 0.1), cut.DensityAlone);
        Assert.True(cut.Density > cut.Agreement);
        Assert.True(cut.DensityAlone > cut.Density);
        Assert.False(cut.Unreachable);
        Assert.True(ConfidentCut.For(5_989, 5_989, 0.001, 0.9).Unreachable);
        Assert.False(ConfidentCut.For(5_990, 5_990, 0.001, 0.9).Unreachable);
    }

    [Fact]
    public void WithoutAnAgreementSignalTheDensityDecidesAloneAtTheWholeBudget()
    {
        var cut = ConfidentCut.For(3_000, 0, 0.001, 0.9);
        Assert.Equal(0, cut.Agreement);
        Assert.Equal(cut.DensityAlone, cut.Density);
        Assert.Equal(BudgetConfidence.ConfidentLevel(3_000, 0.001, 0.1), cut.Density);
        Assert.False(cut.Unreachable);
        Assert.True(ConfidentCut.For(2_000, 0, 0.001, 0.9).Unreachable);
    }

    [Fact]
    public void ASampleGoesWhenEitherOwnPValueIsAtItsLevel()
    {
        var cut = new ConfidentCut(0.002, 0.001, 0.004);
        Assert.True(cut.Exceeds(0.002, 0.5));
        Assert.True(cut.Exceeds(0.5, 0.001));
        Assert.False(cut.Exceeds(0.0021, 0.0011));
        // A sample without an agreement p-value is judged by the density alone, at its own level.
        Assert.True(cut.Exceeds(0.004, double.NaN));
        Assert.False(cut.Exceeds(0.0041, double.NaN));
        Assert.True(new ConfidentCut(0, 0, 0).Unreachable);
    }
}
