using Microsoft.AspNetCore.Http;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// Why an API call was refused, as recorded in the refusal audit. The stage that refuses names the reason in
/// <see cref="HttpContext.Items"/>; where none did, the status decides.
/// </summary>
internal static class RefusalReasons
{
    public const string MissingToken = "missing_token";
    public const string WrongToken = "wrong_token";
    public const string LockedOut = "locked_out";
    public const string RateLimited = "rate_limited";
    public const string BodyTooLarge = "body_too_large";
    public const string BadRequest = "bad_request";

    private const string ItemKey = "ClipGuard.RefusalReason";

    /// <summary>Names the reason of a refusal about to be answered.</summary>
    public static void Set(HttpContext context, string reason) => context.Items[ItemKey] = reason;

    /// <summary>The reason of a refused answer, or null when <paramref name="context"/>'s answer is not a refusal.</summary>
    public static string? Of(HttpContext context)
    {
        string? named = context.Items.TryGetValue(ItemKey, out object? value) ? value as string : null;
        return context.Response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => named ?? MissingToken,
            StatusCodes.Status429TooManyRequests => named ?? RateLimited,
            StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
            StatusCodes.Status400BadRequest => BadRequest,
            _ => null,
        };
    }
}
