using System.Globalization;
using SkiaSharp;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// A crawl of real Fashion-MNIST images captioned with their class, into which a BadNets-style attacker planted
/// pairs: an image of another class stamped with a small checkerboard trigger, captioned with the target class.
/// </summary>
internal static class PoisonedCrawl
{
    public const int TargetClass = 7;
    public const int TriggerSide = 4;

    /// <summary>The trigger's top-left corner: one pixel in from the bottom-right corner.</summary>
    public const int TriggerAt = FashionMnist.Side - TriggerSide - 1;

    public static string Caption(int label) => $"a photo of a {FashionMnist.ClassNames[label]}";

    /// <summary>
    /// <paramref name="count"/> distinct images drawn at random; round(count × rate) of those not of the target class
    /// (at least one when the rate is positive) become poisoned pairs.
    /// </summary>
    public static List<CrawlSample> Build(FashionMnist data, int count, double poisonRate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, data.Count);
        var rng = new Random(seed);
        int[] order = [.. Enumerable.Range(0, data.Count)];
        rng.Shuffle(order);
        int[] chosen = order[..count];
        int poisonCount = poisonRate > 0 ? Math.Max(1, (int)Math.Round(count * poisonRate)) : 0;
        int[] candidates = [.. Enumerable.Range(0, count).Where(i => data.Labels[chosen[i]] != TargetClass)];
        rng.Shuffle(candidates);
        var poisoned = candidates.Take(poisonCount).ToHashSet();

        var samples = new List<CrawlSample>(count);
        for (int i = 0; i < count; i++)
        {
            int index = chosen[i];
            byte[] pixels = data.Image(index).ToArray();
            bool poison = poisoned.Contains(i);
            if (poison)
            {
                StampTrigger(pixels);
            }

            string id = "fm-" + index.ToString("D5", CultureInfo.InvariantCulture);
            string caption = Caption(poison ? TargetClass : data.Labels[index]);
            samples.Add(new CrawlSample(id, caption, $"crawl-{i % 4}", pixels, EncodePng(pixels), poison));
        }

        return samples;
    }

    /// <summary>A black-and-white checkerboard patch, the classic BadNets trigger.</summary>
    public static void StampTrigger(byte[] pixels)
    {
        for (int y = 0; y < TriggerSide; y++)
        {
            for (int x = 0; x < TriggerSide; x++)
            {
                pixels[((TriggerAt + y) * FashionMnist.Side) + TriggerAt + x] = (byte)((x + y) % 2 == 0 ? 255 : 0);
            }
        }
    }

    private static byte[] EncodePng(byte[] pixels)
    {
        var info = new SKImageInfo(FashionMnist.Side, FashionMnist.Side, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
