using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClipGuard.Stream.Host.Api;

/// <summary>The handlers behind <c>/api/campaigns</c>; routes, auth and the rate limit live in <see cref="OperatorApi"/>.</summary>
internal static class CampaignEndpoints
{
    public static async Task<IResult> ListAsync(IQuarantineLedger ledger, int? offset, int? count, CancellationToken cancellationToken)
    {
        int first = offset ?? 0;
        int size = count ?? QuarantineEndpoints.DefaultPageSize;
        if (first < 0 || size < 1 || size > RedisQuarantineLedger.MaxPageSize)
        {
            return QuarantineEndpoints.BadRequest($"offset must be >= 0 and count within 1..{RedisQuarantineLedger.MaxPageSize}");
        }

        var campaigns = await ledger.ListCampaignsAsync(first, size, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new CampaignPage(first, size, [.. campaigns.Select(CampaignView.From)]), OperatorJsonContext.Default.CampaignPage);
    }

    public static async Task<IResult> GetAsync(IQuarantineLedger ledger, string id, CancellationToken cancellationToken)
    {
        var campaign = await ledger.GetCampaignAsync(id, cancellationToken).ConfigureAwait(false);
        return campaign is null ? NotFound(id) : TypedResults.Json(CampaignView.From(campaign), OperatorJsonContext.Default.CampaignView);
    }

    public static Task<IResult> ReleaseAsync(HttpContext http, CampaignDecider decider, string id) =>
        DecideAsync(http, decider, id, QuarantineStatus.Released);

    public static Task<IResult> RejectAsync(HttpContext http, CampaignDecider decider, string id) =>
        DecideAsync(http, decider, id, QuarantineStatus.Rejected);

    private static async Task<IResult> DecideAsync(HttpContext http, CampaignDecider decider, string id, QuarantineStatus to)
    {
        var (actor, reason, refusal) = await QuarantineEndpoints.ReadDecisionAsync(http).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        if (CampaignDecider.ReasonError(id, to, reason) is { } reasonError)
        {
            return QuarantineEndpoints.BadRequest(reasonError);
        }

        var decision = await decider.DecideAsync(id, to, actor, reason, http.RequestAborted).ConfigureAwait(false);
        if (decision is null)
        {
            return NotFound(id);
        }

        int status = StatusCodes.Status200OK;
        if (decision.StoppedBy is not null)
        {
            status = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = LedgerUnavailableFilter.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Json(CampaignDecisionView.From(decision), OperatorJsonContext.Default.CampaignDecisionView, statusCode: status);
    }

    private static JsonHttpResult<ErrorView> NotFound(string id) =>
        TypedResults.Json(new ErrorView($"no campaign '{id}' in the quarantine ledger"), OperatorJsonContext.Default.ErrorView, statusCode: StatusCodes.Status404NotFound);
}
