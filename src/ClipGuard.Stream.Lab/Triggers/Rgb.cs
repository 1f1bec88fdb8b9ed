using System.Globalization;
using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>An 8-bit RGB colour; on a grayscale image it stands for its luma (ITU-R BT.601).</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb White { get; } = new(255, 255, 255);

    [JsonIgnore]
    public byte Luma => (byte)Math.Round((0.299 * R) + (0.587 * G) + (0.114 * B), MidpointRounding.AwayFromZero);

    /// <summary>Channel <paramref name="c"/> of an image with <paramref name="channels"/> channels.</summary>
    public byte Channel(int c, int channels) => channels == 1 ? Luma : c switch { 0 => R, 1 => G, _ => B };

    /// <summary>"RRGGBB" or "#RRGGBB" in hex.</summary>
    public static Rgb Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string hex = text.TrimStart('#');
        if (hex.Length != 6 || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
        {
            throw new ArgumentException($"colour '{text}' is not RRGGBB in hex (e.g. ff0000 for red)");
        }

        return new((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{R:x2}{G:x2}{B:x2}");
}
