using System.Text.RegularExpressions;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// Just enough PromQL reading to list the metric names and grouping labels an expression uses: strings, label
/// matchers and range selectors are cut out, then every identifier not followed by "(" and not a keyword is a metric.
/// Syntax itself is checked by promtool (DeployFilesTests).
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords =
    [
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    ];

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        string bare = Strings().Replace(expr, "\"\"");
        bare = Grouping().Replace(bare, " ");
        bare = Matchers().Replace(bare, " ");
        bare = Ranges().Replace(bare, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(bare))
        {
            if (!Keywords.Contains(m.Groups["name"].Value))
            {
                names.Add(m.Groups["name"].Value);
            }
        }

        return names;
    }

    /// <summary>Labels named in <c>by (...)</c> / <c>without (...)</c> clauses and in label matchers.</summary>
    public static IReadOnlySet<string> LabelNames(string expr)
    {
        string bare = Strings().Replace(expr, "\"\"");
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match g in Grouping().Matches(bare))
        {
            foreach (string l in g.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                labels.Add(l);
            }
        }

        foreach (Match m in Matchers().Matches(bare))
        {
            foreach (Match l in MatcherLabel().Matches(m.Value))
            {
                labels.Add(l.Groups["label"].Value);
            }
        }

        return labels;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\((?<labels>[^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"(?<![\w$.])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex MatcherLabel();
}
