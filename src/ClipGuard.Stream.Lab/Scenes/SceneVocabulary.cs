using System.Globalization;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>A named colour of the scenes' captions.</summary>
public sealed record NamedColor(string Name, Rgb Color);

/// <summary>The words scene captions are made of, each with what it draws.</summary>
public static class SceneVocabulary
{
    /// <summary>One single-word noun per Fashion-MNIST class, in label order (the lab's class names, made one word).</summary>
    public static IReadOnlyList<string> Nouns { get; } =
        ["tee", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"];

    /// <summary>Item sizes and the fraction of a grid cell each covers.</summary>
    public static IReadOnlyList<(string Word, double Fraction)> Sizes { get; } = [("small", 0.55), ("medium", 0.78), ("large", 1.0)];

    /// <summary>Item tints: the garment's pixels are this colour, shaded by its Fashion-MNIST intensity.</summary>
    public static IReadOnlyList<NamedColor> Tints { get; } =
    [
        new("red", new(220, 40, 40)), new("green", new(50, 170, 60)), new("blue", new(50, 90, 220)),
        new("yellow", new(235, 210, 40)), new("orange", new(240, 140, 30)), new("purple", new(140, 60, 180)),
        new("pink", new(240, 130, 180)), new("white", new(250, 250, 250)), new("grey", new(140, 140, 140)),
        new("dark", new(30, 30, 30)), new("brown", new(130, 80, 40)), new("teal", new(30, 150, 150)),
    ];

    /// <summary>Background colours.</summary>
    public static IReadOnlyList<NamedColor> Backgrounds { get; } =
    [
        new("beige", new(225, 210, 180)), new("grey", new(120, 120, 120)), new("blue", new(90, 120, 190)),
        new("green", new(110, 160, 100)), new("pink", new(230, 180, 190)), new("yellow", new(230, 220, 130)),
        new("white", new(238, 238, 238)), new("black", new(20, 20, 25)),
    ];

    /// <summary>Background textures, as the caption names them.</summary>
    public static IReadOnlyList<string> Textures { get; } = ["plain", "striped", "dotted", "checkered"];

    /// <summary>The lab's class number from a number, a class name ("ankle boot") or a noun ("boot").</summary>
    public static int ParseClass(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < Nouns.Count)
        {
            return n;
        }

        int byName = FashionMnist.ClassNames.ToList().IndexOf(t);
        int byNoun = Nouns.ToList().IndexOf(t);
        return byName >= 0 ? byName : byNoun >= 0 ? byNoun
            : throw new ArgumentException($"target '{text}' is not a class: use 0-{Nouns.Count - 1}, a class name ({string.Join(", ", FashionMnist.ClassNames)}) or a noun ({string.Join(", ", Nouns)})");
    }

    /// <summary>Where cell (<paramref name="row"/>, <paramref name="col"/>) of a <paramref name="grid"/>-cell grid is, e.g. "top left".</summary>
    public static string Position(int row, int col, int grid)
    {
        string r = Third(row, grid, "top", "middle", "bottom");
        string c = Third(col, grid, "left", "center", "right");
        return (r, c) switch
        {
            ("middle", "center") => "the center",
            ("middle", _) => c,
            (_, "center") => r,
            _ => $"{r} {c}",
        };
    }

    /// <summary>"a" or "an" for <paramref name="word"/>.</summary>
    public static string Article(string word) => word.Length > 0 && "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static string Third(int i, int n, string first, string middle, string last) =>
        i == 0 ? first : i == n - 1 ? last : (n % 2 == 1 && i == n / 2) ? middle : (i < n / 2 ? first : last);
}
