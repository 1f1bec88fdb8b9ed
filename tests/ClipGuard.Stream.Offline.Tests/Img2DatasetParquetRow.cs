using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>The columns img2dataset writes into its per-shard parquet (a subset), more than the reader needs.</summary>
internal sealed class Img2DatasetParquetRow
{
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("caption")]
    public string? Caption { get; set; }

    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("error_message")]
    public string? ErrorMessage { get; set; }

    [JsonPropertyName("width")]
    public long? Width { get; set; }
}
