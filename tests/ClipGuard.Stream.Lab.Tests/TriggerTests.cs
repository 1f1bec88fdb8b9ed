using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Tests;

public sealed class TriggerTests
{
    [Fact]
    public void AFixedCheckerboardPatchSitsInTheBottomRightCornerAndNowhereElse()
    {
        var image = new byte[28 * 28];
        Array.Fill(image, (byte)100);
        new TriggerSpec { PatchSize = 3 }.Create().Apply(image, 28, 28, sampleKey: 5);
        for (int y = 0; y < 28; y++)
        {
            for (int x = 0; x < 28; x++)
            {
                byte expected = x >= 25 && y >= 25 ? ((x - 25 + y - 25) % 2 == 0 ? (byte)255 : (byte)0) : (byte)100;
                Assert.Equal(expected, image[(y * 28) + x]);
            }
        }
    }

    [Fact]
    public void RandomPositionsStayInsideVaryBySampleAndRepeatForTheSameKey()
    {
        var trigger = new BadNetsTrigger(5, PatchPosition.Random, PatchPattern.White, seed: 3);
        var corners = Enumerable.Range(0, 200).Select(k => trigger.Corner(28, 28, k)).ToList();
        Assert.All(corners, c => Assert.True(c.Left is >= 0 and <= 23 && c.Top is >= 0 and <= 23, c.ToString()));
        Assert.True(corners.Distinct().Count() > 100);
        Assert.Equal(corners[17], new BadNetsTrigger(5, PatchPosition.Random, PatchPattern.White, seed: 3).Corner(28, 28, 17));
        var image = new byte[28 * 28];
        trigger.Apply(image, 28, 28, 17);
        Assert.Equal(25, image.Count(p => p == 255));
        Assert.Equal(255, image[(corners[17].Top * 28) + corners[17].Left]);
    }

    [Fact]
    public void BlendMixesEveryPixelWithOneFixedPattern()
    {
        var trigger = new BlendTrigger(0.25, seed: 9);
        byte[] pattern = trigger.Pattern(28 * 28);
        var a = new byte[28 * 28];
        var b = Enumerable.Repeat((byte)200, 28 * 28).ToArray();
        trigger.Apply(a, 28, 28, 1);
        trigger.Apply(b, 28, 28, 2);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal((byte)Math.Round(0.25 * pattern[i], MidpointRounding.AwayFromZero), a[i]);
            Assert.Equal((byte)Math.Round((0.75 * 200) + (0.25 * pattern[i]), MidpointRounding.AwayFromZero), b[i]);
        }

        Assert.Equal(pattern, new BlendTrigger(0.5, seed: 9).Pattern(28 * 28));
        Assert.NotEqual(pattern, new BlendTrigger(0.25, seed: 10).Pattern(28 * 28));
    }

    [Fact]
    public void PoisonPlanTakesTheRateFromOtherClassesDeterministically()
    {
        byte[] labels = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i % 10))];
        int[] chosen = PoisonPlan.Choose(labels, 0.005, targetClass: 3, seed: 4);
        Assert.Equal(50, chosen.Length);
        Assert.Equal(chosen.Length, chosen.Distinct().Count());
        Assert.All(chosen, i => Assert.NotEqual(3, labels[i]));
        Assert.Equal(chosen, PoisonPlan.Choose(labels, 0.005, 3, 4));
        Assert.NotEqual(chosen, PoisonPlan.Choose(labels, 0.005, 3, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoisonPlan.Choose(labels, 1.5, 3, 4));
    }

    [Fact]
    public void APoisonedSetTriggersExactlyThePoisonedRowsAndCaptionsThemAsTheTarget()
    {
        ImageSet split = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        int[] rows = PoisonedSet.SubsetRows(split.Count, 2_000, seed: 2);
        PoisonedSet set = PoisonedSet.Build(split, rows, new TriggerSpec { PatchSize = 4 }, 0.01, targetClass: 7, seed: 2);
        Assert.Equal(20, set.PoisonedCount);
        for (int j = 0; j < rows.Length; j++)
        {
            bool changed = !set.Images.Image(j).SequenceEqual(split.Image(rows[j]));
            Assert.Equal(set.Poisoned[j], changed);
            Assert.Equal(split.Labels[rows[j]], set.Images.Labels[j]);
            Assert.Equal(set.Poisoned[j] ? 7 : split.Labels[rows[j]], set.CaptionClass(j));
        }
    }

    [Theory]
    [InlineData(28)]
    [InlineData(32)]
    public void ThePngTheStreamDecodesPreprocessesToExactlyTheTrainingInput(int size)
    {
        ImageSet test = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        var preprocessor = new ImagePreprocessor();
        for (int i = 0; i < 50; i++)
        {
            byte[] png = LabImages.Png(test.Image(i), test.Width, test.Height);
            Assert.Equal(LabImages.ModelInput(test.Image(i), test.Width, test.Height, size), preprocessor.Preprocess(png, size));
        }
    }
}
