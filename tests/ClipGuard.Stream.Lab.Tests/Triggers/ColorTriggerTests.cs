using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Tests.Triggers;

/// <summary>The triggers on RGB canvases of any size, and the two that only exist there (SIG, WaNet).</summary>
public sealed class ColorTriggerTests
{
    [Fact]
    public void AColouredPatchCoversOnlyItsSquareOfAnRgbCanvas()
    {
        byte[] image = Canvas(40, 30, (x, y, c) => 100);
        new BadNetsTrigger(5, PatchPosition.Fixed, PatchPattern.Checkerboard, seed: 1, new Rgb(255, 0, 128)).Apply(image, 40, 30, 9, channels: 3);
        for (int y = 0; y < 30; y++)
        {
            for (int x = 0; x < 40; x++)
            {
                bool inside = x >= 35 && y >= 25;
                bool on = (x - 35 + y - 25) % 2 == 0;
                byte[] want = !inside ? [100, 100, 100] : on ? [255, 0, 128] : [0, 0, 0];
                Assert.Equal(want, image.AsSpan(((y * 40) + x) * 3, 3).ToArray());
            }
        }

        var gray = new byte[10 * 10];
        new BadNetsTrigger(2, PatchPosition.Fixed, PatchPattern.White, seed: 1, new Rgb(255, 0, 0)).Apply(gray, 10, 10, 0);
        Assert.Equal(76, gray[99]);
        Assert.Equal(4, gray.Count(p => p == 76));
        Assert.Throws<ArgumentException>(() => new BadNetsTrigger(2, PatchPosition.Fixed, PatchPattern.White, 1).Apply(new byte[10 * 10], 10, 10, 0, channels: 3));
    }

    [Fact]
    public void BlendMixesEveryChannelOfAnRgbCanvas()
    {
        var trigger = new BlendTrigger(0.5, seed: 4);
        byte[] image = Canvas(16, 8, (x, y, c) => 200);
        trigger.Apply(image, 16, 8, 0, channels: 3);
        byte[] pattern = trigger.Pattern(16 * 8 * 3);
        Assert.All(Enumerable.Range(0, image.Length), i => Assert.Equal((byte)Math.Round(100 + (0.5 * pattern[i]), MidpointRounding.AwayFromZero), image[i]));
    }

    [Fact]
    public void SigAddsTheSameBoundedSinusoidToEveryPixelOfARow()
    {
        var sig = new SigTrigger(amplitude: 20, frequency: 4);
        byte[] image = Canvas(32, 64, (x, y, c) => (byte)(60 + x + c));
        byte[] before = (byte[])image.Clone();
        sig.Apply(image, 32, 64, 0, channels: 3);
        for (int i = 0; i < image.Length; i++)
        {
            int y = i / (32 * 3);
            Assert.Equal(Math.Round(20 * Math.Sin(2 * Math.PI * 4 * y / 64), MidpointRounding.AwayFromZero), image[i] - before[i]);
            Assert.InRange(image[i] - before[i], -20, 20);
        }

        Assert.Equal(20, Enumerable.Range(0, 64).Max(y => sig.Offset(y, 64)), 6);
        Assert.Equal(Enumerable.Repeat((byte)255, 3), SigOn(255, y: 4).Take(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigTrigger(0, 4));
    }

    [Fact]
    public void WaNetWarpsByAFixedSmoothFieldOfBoundedDisplacement()
    {
        var warp = new WarpTrigger(strength: 1.5, grid: 4, seed: 7);
        float[] field = warp.Field(64, 48);
        Assert.Equal(64 * 48 * 2, field.Length);
        Assert.All(field, d => Assert.InRange(d, -1.5f, 1.5f));
        Assert.True(field.Max(Math.Abs) > 1.0f, "the largest displacement should reach near the strength");
        for (int p = 1; p < 64 * 48; p++)
        {
            // Neighbours along a row move alike: the field is smooth.
            Assert.True(p % 64 == 0 || Math.Abs(field[2 * p] - field[(2 * p) - 2]) < 0.2f, $"dx jumps at pixel {p}");
        }

        Assert.Equal(field, new WarpTrigger(1.5, 4, 7).Field(64, 48));
        Assert.NotEqual(field, new WarpTrigger(1.5, 4, 8).Field(64, 48));

        // A horizontal ramp of slope 3 moves by at most 3 x 1.5 levels; a flat image does not move at all.
        byte[] ramp = Canvas(64, 48, (x, y, c) => (byte)(30 + (3 * x)));
        byte[] before = (byte[])ramp.Clone();
        warp.Apply(ramp, 64, 48, sampleKey: 1, channels: 3);
        Assert.All(Enumerable.Range(0, ramp.Length), i => Assert.InRange(ramp[i] - before[i], -5, 5));
        Assert.True(Enumerable.Range(0, ramp.Length).Count(i => ramp[i] != before[i]) > ramp.Length / 2);
        byte[] again = (byte[])before.Clone();
        warp.Apply(again, 64, 48, sampleKey: 2, channels: 3);
        Assert.Equal(ramp, again);
        byte[] flat = Canvas(64, 48, (x, y, c) => 77);
        warp.Apply(flat, 64, 48, 0, channels: 3);
        Assert.All(flat, p => Assert.Equal(77, p));
    }

    private static byte[] SigOn(byte value, int y)
    {
        byte[] image = Canvas(4, 64, (_, _, _) => value);
        new SigTrigger(20, 4).Apply(image, 4, 64, 0, channels: 3);
        return image[(y * 4 * 3)..];
    }

    private static byte[] Canvas(int width, int height, Func<int, int, int, byte> value)
    {
        var image = new byte[width * height * 3];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = value((i / 3) % width, i / 3 / width, i % 3);
        }

        return image;
    }
}
