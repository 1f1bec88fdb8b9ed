using System.Text.Json;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>The provisioned Grafana dashboard's queries.</summary>
internal static class GrafanaDashboard
{
    public const string RelativePath = "deploy/grafana/dashboards/clipguard.json";

    /// <summary>Every panel target's PromQL, with the panel title for messages.</summary>
    public static IReadOnlyList<(string Panel, string Expr)> Queries()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(RelativePath)));
        var queries = new List<(string, string)>();
        foreach (JsonElement panel in doc.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out JsonElement targets))
            {
                continue;
            }

            string title = panel.GetProperty("title").GetString()!;
            foreach (JsonElement t in targets.EnumerateArray())
            {
                queries.Add((title, t.GetProperty("expr").GetString()!));
            }
        }

        return queries;
    }

    /// <summary>Every metric name the dashboard's queries read, with the labels those queries group or match on.</summary>
    public static IReadOnlyDictionary<string, HashSet<string>> MetricsAndLabels()
    {
        var used = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach ((_, string expr) in Queries())
        {
            IReadOnlySet<string> labels = PromQl.LabelNames(expr);
            foreach (string name in PromQl.MetricNames(expr))
            {
                if (!used.TryGetValue(name, out HashSet<string>? set))
                {
                    set = new HashSet<string>(StringComparer.Ordinal);
                    used[name] = set;
                }

                set.UnionWith(labels);
            }
        }

        return used;
    }

    /// <summary>The queries as PromQL with Grafana's variables replaced by what Grafana would substitute.</summary>
    public static string Concrete(string expr) => expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$detector", ".*", StringComparison.Ordinal);
}
