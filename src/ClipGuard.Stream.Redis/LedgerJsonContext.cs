using System.Text.Json.Serialization;

namespace ClipGuard.Stream.Redis;

/// <summary>The few array fields of a record hash are JSON; distances may be NaN or infinite in a broken score, and must still round-trip.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(QuarantineHeader[]))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
