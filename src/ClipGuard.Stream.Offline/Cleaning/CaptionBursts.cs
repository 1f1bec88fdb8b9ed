using System.Text;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// Duplicate-caption bursts: many pairs with one caption (CC3M's 798 "birthday cake" copies are the natural backdoor
/// docs/detection.md names), with the sources they came from, so one crawler or domain flooding a caption stands out.
/// </summary>
public static class CaptionBursts
{
    public const int MaxListed = 50;
    private const int MaxSourcesListed = 5;

    public static IReadOnlyList<CaptionBurst> Find(IReadOnlyList<string> captions, IReadOnlyList<string?> sources, IReadOnlyList<double> scores, bool[] removed, int minCount)
    {
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(removed);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < captions.Count; i++)
        {
            string key = Normalize(captions[i]);
            if (!groups.TryGetValue(key, out var rows))
            {
                groups[key] = rows = [];
            }

            rows.Add(i);
        }

        return groups
            .Where(g => g.Value.Count >= minCount)
            .Select(g => new CaptionBurst(
                captions[g.Value[0]],
                g.Value.Count,
                g.Value.Average(i => scores[i]),
                g.Value.Count(i => removed[i]),
                g.Value.GroupBy(i => sources[i] ?? "unknown", StringComparer.Ordinal)
                    .Select(s => new SourceCount(s.Key, s.Count()))
                    .OrderByDescending(s => s.Count).ThenBy(s => s.Source, StringComparer.Ordinal)
                    .Take(MaxSourcesListed).ToArray()))
            .OrderByDescending(b => b.Count).ThenBy(b => b.Caption, StringComparer.Ordinal)
            .Take(MaxListed)
            .ToArray();
    }

    /// <summary>Trimmed, inner whitespace collapsed to one space, lower case: "A  cake " and "a cake" are one caption.</summary>
    public static string Normalize(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var sb = new StringBuilder(caption.Length);
        bool space = false;
        foreach (char c in caption.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
