using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Host.Api;

/// <summary>Enums as snake_case strings (<c>release_in_progress</c>), the same names the query strings and the CLI use.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
