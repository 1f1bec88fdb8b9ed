using ClipGuard.Stream.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ClipGuard.Stream.Host.Api;

/// <summary>Turns a ledger outage into 503 with Retry-After, so an outage never reads as "no records" or as a server bug.</summary>
internal sealed class LedgerUnavailableFilter(ILogger<LedgerUnavailableFilter> logger) : IEndpointFilter
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException ex)
        {
            Operator.Log.ApiLedgerUnavailable(logger, context.HttpContext.Request.Path, ex);
            context.HttpContext.Response.Headers[HeaderNames.RetryAfter] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Json(
                new ErrorView("quarantine ledger unavailable; retry later"),
                OperatorJsonContext.Default.ErrorView,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
