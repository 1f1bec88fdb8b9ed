using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// One line of a window segment's sidecar (SEGMENT.jsonl): which message a stored pair came from and how it was
/// routed. Clean samples carry their original message value (base64), so a recall can record them in the ledger
/// exactly as a quarantine would (a release re-publishes those bytes).
/// </summary>
internal sealed record WindowRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("key")] byte[]? Key,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("partition")] int Partition,
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("routed_at")] DateTimeOffset RoutedAt,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("value")] byte[]? Value);

/// <summary>The values of <see cref="WindowRecord.Route"/>.</summary>
internal static class WindowRoutes
{
    public const string Clean = "clean";
    public const string Quarantine = "quarantine";
}

[JsonSerializable(typeof(WindowRecord))]
internal sealed partial class WindowJsonContext : JsonSerializerContext;
