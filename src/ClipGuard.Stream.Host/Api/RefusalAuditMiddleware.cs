using ClipGuard.Stream.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// Records every refused <c>/api</c> call (401, 429, 413, 400) in the ledger's refusal audit, after the answer was
/// sent: a refused caller never waits for the ledger, and a ledger outage loses the record (logged, event 6025),
/// never the answer. The record holds the client address, method, path (no query string), status and reason; the
/// presented token is never read here.
/// </summary>
internal sealed class RefusalAuditMiddleware(RequestDelegate next, IRefusalLog refusals, TimeProvider time, ILogger<RefusalAuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // A body over the size limit (or otherwise unreadable) surfaces here and Kestrel answers its status.
            Refused(context, ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? RefusalReasons.BodyTooLarge : RefusalReasons.BadRequest);
            throw;
        }

        if (RefusalReasons.Of(context) is { } reason)
        {
            Refused(context, context.Response.StatusCode, reason);
        }
    }

    private void Refused(HttpContext context, int status, string reason)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return;
        }

        var call = new RefusedCall(
            time.GetUtcNow(),
            OperatorApi.ClientAddress(context),
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            status,
            reason);
        Operator.Log.ApiCallRefused(logger, call.Method, call.Path, call.Address, call.Status, call.Reason);
        context.Response.OnCompleted(() => RecordAsync(call));
    }

    private async Task RecordAsync(RefusedCall call)
    {
        try
        {
            await refusals.RecordRefusalAsync(call).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException ex)
        {
            Operator.Log.ApiRefusalNotAudited(logger, call.Method, call.Path, call.Address, ex);
        }
    }
}
