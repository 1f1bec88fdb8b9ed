using System.Text.Json;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>The wire names (snake_case) of statuses and outcomes, shared by the API's JSON, its query strings and the CLI.</summary>
public static class OperatorNames
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Parses a status name (<c>quarantined</c>, <c>releasing</c>, <c>released</c>, <c>rejected</c>); numbers are not names.</summary>
    public static bool TryParseStatus(string? text, out QuarantineStatus status)
    {
        foreach (QuarantineStatus candidate in Enum.GetValues<QuarantineStatus>())
        {
            if (string.Equals(text, Of(candidate), StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static string StatusList => string.Join(", ", Enum.GetValues<QuarantineStatus>().Select(Of));
}
