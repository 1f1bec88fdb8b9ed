namespace ClipGuard.Stream.Offline.Reading;

/// <summary>One image-text pair as a crawler stored it: key, encoded image, caption and the page URL when known.</summary>
public sealed record DatasetSample(string Key, byte[] Image, string Caption, string? Url)
{
    /// <summary>The URL's host, the "source" that duplicate-caption bursts are grouped by; null when unknown.</summary>
    public string? Source => SourceOf(Url);

    public static string? SourceOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host.ToLowerInvariant() : null;
}
