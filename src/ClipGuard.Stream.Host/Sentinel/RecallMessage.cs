using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// The value of a message on the recall topic (docs/sentinel.md; the key is the original message's key): a sample
/// routed clean under <see cref="RecalledFrom"/> that the sentinel model <see cref="Model"/> judged poisoned within
/// its provisional window. A downstream trainer drops it from what it took from the clean topic.
/// </summary>
internal sealed record RecallMessage(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("sentinel_version")] int SentinelVersion,
    [property: JsonPropertyName("recalled_from")] string RecalledFrom,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("p_value")] double? PValue,
    [property: JsonPropertyName("campaign")] string? Campaign,
    [property: JsonPropertyName("source_topic")] string SourceTopic,
    [property: JsonPropertyName("source_partition")] int SourcePartition,
    [property: JsonPropertyName("source_offset")] long SourceOffset,
    [property: JsonPropertyName("routed_at")] DateTimeOffset RoutedAt,
    [property: JsonPropertyName("recalled_at")] DateTimeOffset RecalledAt);

[JsonSerializable(typeof(RecallMessage))]
internal sealed partial class RecallJsonContext : JsonSerializerContext;
