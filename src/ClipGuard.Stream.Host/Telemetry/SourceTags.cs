using System.Collections.Concurrent;

namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// Maps crawl sources to metric tag values with a hard cap: the first <c>max</c> distinct sources keep their name,
/// every later one is "other". First-seen rather than top-N so that a series never changes its label mid-flight;
/// a restart may pick a different set, which dashboards tolerate (they sum by source).
/// </summary>
internal sealed class SourceTags(int max)
{
    public const string Other = "other";
    public const string Unknown = "unknown";
    private const int MaxLength = 64;
    private readonly ConcurrentDictionary<string, string> _named = new(StringComparer.Ordinal);

    public string For(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            return Unknown;
        }

        if (_named.TryGetValue(source, out string? tag))
        {
            return tag;
        }

        if (source.Length > MaxLength || _named.Count >= max)
        {
            return Other;
        }

        return _named.GetOrAdd(source, source);
    }
}
