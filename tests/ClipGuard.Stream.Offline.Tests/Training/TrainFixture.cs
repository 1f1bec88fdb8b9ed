using System.Globalization;

namespace ClipGuard.Stream.Offline.Tests.Training;

/// <summary>A model small enough to train a few hundred pairs in seconds, and the labels CSV of generated samples.</summary>
internal static class TrainFixture
{
    public static string[] TinyArgs(int epochs) =>
    [
        "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch", "32", "--image-size", "16", "--patch", "8", "--width", "32",
        "--layers", "1", "--text-width", "32", "--text-layers", "1", "--context", "16", "--embed-dim", "32", "--threads", "1", "--lr", "0.003",
    ];

    public static string WriteLabels(string path, IEnumerable<TestSample> samples)
    {
        File.WriteAllLines(path, ["key,poisoned,caption", .. samples.Select(s => $"{s.Key},{(s.Poisoned ? 1 : 0)},x")]);
        return path;
    }
}
