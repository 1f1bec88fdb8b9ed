using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Offline.Reading;

/// <summary>One sample's metadata in img2dataset's and clip-retrieval's column names.</summary>
public sealed class MetadataRow
{
    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [JsonPropertyName("caption")]
    public string? Caption { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }
}
