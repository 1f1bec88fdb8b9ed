using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.StandIn;

namespace ClipGuard.Stream.Lab.Tests.StandIn;

/// <summary>The stand-in embedding the demo uses when no lab checkpoint exists.</summary>
public sealed class PixelCaptionFeaturesTests
{
    [Fact]
    public void The_stand_in_embedding_joins_unit_pixels_and_weighted_caption_words()
    {
        var features = new PixelCaptionFeatures(["a photo of a sneaker", "a photo of an ankle boot"]);
        Assert.Equal((14 * 14) + 3, features.Dimension);
        var pixels = new byte[FashionMnist.Side * FashionMnist.Side];
        pixels[0] = 200;
        float[] v = features.Embed(pixels, "a photo of an ankle boot");
        Assert.Equal(1.0, Norm(v.AsSpan(0, 196)), 5);
        Assert.Equal(PixelCaptionFeatures.CaptionWeight, Norm(v.AsSpan(196)), 5);
        Assert.Equal(2, v.AsSpan(196).ToArray().Count(x => x > 0));

        // Same image, other caption: only the caption part moves.
        float[] w = features.Embed(pixels, "a photo of a sneaker");
        Assert.Equal(v.AsSpan(0, 196).ToArray(), w.AsSpan(0, 196).ToArray());
        Assert.NotEqual(v.AsSpan(196).ToArray(), w.AsSpan(196).ToArray());
    }

    private static double Norm(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (float x in v)
        {
            sum += (double)x * x;
        }

        return Math.Sqrt(sum);
    }
}
