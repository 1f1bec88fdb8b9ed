using System.Globalization;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>
/// A small crawled-looking dataset from Fashion-MNIST's test split (the lab's reader): clean pairs with varied
/// captions from several shops, and a few backdoored pairs (the lab's BadNets checkerboard trigger, all captioned with
/// one target caption, from one host).
/// </summary>
internal static class PoisonedFashion
{
    public const string TargetCaption = "a photo of a banana";
    public const string AttackerHost = "cdn.attacker.example";

    public static readonly TriggerSpec Trigger = new() { Kind = TriggerKind.BadNets, PatchSize = 10, Pattern = PatchPattern.Checkerboard };

    private static readonly string[] Styles = ["a photo of a", "a close-up of a", "product shot: a", "my new", "vintage", "a cheap", "someone wearing a", "catalogue image of a"];

    public static List<TestSample> Create(int clean, int poisoned, int seed = 5)
    {
        ImageSet images = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);
        ITrigger stamp = Trigger.Create();
        var rng = new Random(seed);
        var poisonedRows = Enumerable.Range(0, clean + poisoned).OrderBy(_ => rng.Next()).Take(poisoned).ToHashSet();
        var samples = new List<TestSample>();
        for (int i = 0; i < clean + poisoned; i++)
        {
            bool bad = poisonedRows.Contains(i);
            byte[] pixels = images.CopyImage(i);
            if (bad)
            {
                stamp.Apply(pixels, images.Width, images.Height, i);
            }

            string caption = bad ? TargetCaption : $"{Styles[i % Styles.Length]} {FashionMnist.ClassNames[images.Labels[i]]} #{i}";
            string url = bad ? $"https://{AttackerHost}/{i}.png" : $"https://shop{i % 4}.example/item/{i}.png";
            samples.Add(new TestSample(Key(i), LabImages.Png(pixels, images.Width, images.Height), "png", caption, url, bad));
        }

        return samples;
    }

    public static string Key(int row) => row.ToString("D9", CultureInfo.InvariantCulture);
}
