using System.Globalization;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;
using SkiaSharp;

namespace ClipGuard.Stream.Cli.Demo;

/// <summary>
/// A crawl of real Fashion-MNIST images captioned with their class, into which a BadNets-style attacker planted
/// pairs: an image of another class stamped with the lab's checkerboard trigger, captioned with the target class.
/// </summary>
internal static class PoisonedCrawl
{
    public const int TargetClass = 7;

    /// <summary>The lab's default trigger (a 4x4 checkerboard in the bottom-right corner): the very trigger a lab
    /// checkpoint the demo may embed with was trained against.</summary>
    public static readonly TriggerSpec Trigger = new();

    public static int TriggerSide => Trigger.PatchSize;

    /// <summary>The trigger's top-left corner (row and column alike).</summary>
    public static int TriggerAt => FashionMnist.Side - TriggerSide;

    public static string Caption(int label) => $"a photo of a {FashionMnist.ClassNames[label]}";

    /// <summary>The 10,000-image test split, the smaller of the two; the demo's pooling needs its 28x28 images.</summary>
    /// <exception cref="InvalidDataException">A file is not the IDX file it should be.</exception>
    public static ImageSet LoadTestSplit(string directory)
    {
        ImageSet data = FashionMnist.Load(directory, train: false);
        if (data.Width != FashionMnist.Side || data.Height != FashionMnist.Side)
        {
            throw new InvalidDataException($"{directory}: the test split holds {data.Width}x{data.Height} images, not {FashionMnist.Side}x{FashionMnist.Side}");
        }

        return data;
    }

    /// <summary>
    /// <paramref name="count"/> distinct images drawn at random; round(count × rate) of those not of the target class
    /// (at least one when the rate is positive) become poisoned pairs.
    /// </summary>
    public static List<CrawlSample> Build(ImageSet data, int count, double poisonRate, int seed)
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
        ITrigger trigger = Trigger.Create();

        var samples = new List<CrawlSample>(count);
        for (int i = 0; i < count; i++)
        {
            int index = chosen[i];
            byte[] pixels = data.CopyImage(index);
            bool poison = poisoned.Contains(i);
            if (poison)
            {
                trigger.Apply(pixels, data.Width, data.Height, index);
            }

            string id = "fm-" + index.ToString("D5", CultureInfo.InvariantCulture);
            string caption = Caption(poison ? TargetClass : data.Labels[index]);
            samples.Add(new CrawlSample(id, caption, $"crawl-{i % 4}", pixels, EncodePng(pixels), poison));
        }

        return samples;
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
