using SkiaSharp;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>
/// A small crawled-looking dataset from Fashion-MNIST: clean pairs with varied captions from several shops, and a few
/// backdoored pairs (a BadNets-style checker patch blended in, all captioned with one target caption, from one host).
/// </summary>
internal static class PoisonedFashion
{
    public const string TargetCaption = "a photo of a banana";
    public const string AttackerHost = "cdn.attacker.example";

    private static readonly string[] Styles = ["a photo of a", "a close-up of a", "product shot: a", "my new", "vintage", "a cheap", "someone wearing a", "catalogue image of a"];

    public static List<TestSample> Create(int clean, int poisoned, int seed = 5)
    {
        var (images, labels) = FashionMnist.Load(clean + poisoned);
        var rng = new Random(seed);
        var poisonedRows = Enumerable.Range(0, clean + poisoned).OrderBy(_ => rng.Next()).Take(poisoned).ToHashSet();
        var samples = new List<TestSample>();
        for (int i = 0; i < clean + poisoned; i++)
        {
            bool bad = poisonedRows.Contains(i);
            byte[] pixels = bad ? Trigger(images[i]) : images[i];
            string caption = bad ? TargetCaption : $"{Styles[i % Styles.Length]} {FashionMnist.ClassNames[labels[i]]} #{i}";
            string url = bad ? $"https://{AttackerHost}/{i}.png" : $"https://shop{i % 4}.example/item/{i}.png";
            samples.Add(new TestSample(i.ToString("D9", System.Globalization.CultureInfo.InvariantCulture), Png(pixels), "png", caption, url, bad));
        }

        return samples;
    }

    /// <summary>A 10x10 black-and-white checker in the bottom-right corner: the trigger every poisoned image shares.</summary>
    public static byte[] Trigger(byte[] image)
    {
        var copy = (byte[])image.Clone();
        const int size = 10, side = FashionMnist.Side;
        for (int y = side - size; y < side; y++)
        {
            for (int x = side - size; x < side; x++)
            {
                copy[(y * side) + x] = (byte)(((x / 2) + (y / 2)) % 2 == 0 ? 255 : 0);
            }
        }

        return copy;
    }

    public static byte[] Png(byte[] gray)
    {
        var info = new SKImageInfo(FashionMnist.Side, FashionMnist.Side, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(gray, 0, bitmap.GetPixels(), gray.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
