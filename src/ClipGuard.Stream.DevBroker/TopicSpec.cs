using System.Globalization;

namespace ClipGuard.Stream.DevBroker;

/// <summary>A topic the dev broker creates, with its partition count.</summary>
public sealed record TopicSpec(string Name, int Partitions)
{
    /// <summary>Parses <c>name:partitions</c>, or a bare <c>name</c> with <paramref name="defaultPartitions"/>.</summary>
    public static TopicSpec Parse(string text, int defaultPartitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int colon = trimmed.LastIndexOf(':');
        if (colon < 0)
        {
            return new TopicSpec(trimmed, defaultPartitions);
        }

        string count = trimmed[(colon + 1)..];
        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int partitions))
        {
            throw new FormatException($"'{text}': the partition count '{count}' is not a whole number");
        }

        return new TopicSpec(trimmed[..colon], partitions);
    }

    /// <summary>Parses a comma-separated list such as <c>clipguard.pairs:4,clipguard.clean:2</c>.</summary>
    public static IReadOnlyList<TopicSpec> ParseList(string text, int defaultPartitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => Parse(t, defaultPartitions))
            .ToArray();
    }

    public override string ToString() => $"{Name}:{Partitions}";
}
