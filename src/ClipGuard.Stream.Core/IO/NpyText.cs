using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Core.IO;

/// <summary>Formatting for error messages, which must stay one line whatever bytes a bad file holds.</summary>
internal static class NpyText
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('\'');
        foreach (char c in s.Length > 60 ? s[..60] + "..." : s)
        {
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>A shape as Python prints it: (5,), (3, 4), ().</summary>
    public static string Shape(IReadOnlyList<long> shape) => shape.Count == 1
        ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
        : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
}
