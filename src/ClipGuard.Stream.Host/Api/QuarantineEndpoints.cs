using System.Text.Json;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace ClipGuard.Stream.Host.Api;

/// <summary>The handlers behind <c>/api/quarantine</c>, <c>/api/counters</c> and <c>/api/refusals</c>; routes and auth live in <see cref="OperatorApi"/>.</summary>
internal static class QuarantineEndpoints
{
    public const string ActorHeader = "X-ClipGuard-Actor";
    public const int DefaultPageSize = 50;
    public const string ThumbnailHeader = "X-ClipGuard-Thumbnail";

    // Private: the thumbnail is behind the bearer token, so shared caches must not keep it.
    private const string ThumbnailCacheControl = "private, max-age=86400";

    public static async Task<IResult> ListAsync(
        IQuarantineLedger ledger,
        string? status,
        string? source,
        string? campaign,
        int? offset,
        int? count,
        double? minScore,
        double? maxScore,
        string? q,
        CancellationToken cancellationToken)
    {
        var parsed = QuarantineStatus.Quarantined;
        if (status is not null && !OperatorNames.TryParseStatus(status, out parsed))
        {
            return BadRequest($"status must be one of: {OperatorNames.StatusList}");
        }

        int first = offset ?? 0;
        int size = count ?? DefaultPageSize;
        if (first < 0 || size < 1 || size > RedisQuarantineLedger.MaxPageSize)
        {
            return BadRequest($"offset must be >= 0 and count within 1..{RedisQuarantineLedger.MaxPageSize}");
        }

        string? from = string.IsNullOrEmpty(source) ? null : source;
        string? group = string.IsNullOrEmpty(campaign) ? null : campaign;

        // A campaign's index has no per-source split: within a campaign the source is matched while scanning.
        var filter = new QuarantineFilter(minScore, maxScore, string.IsNullOrWhiteSpace(q) ? null : q.Trim()) { Source = group is null ? null : from };
        if (filter.Error() is { } filterError)
        {
            return BadRequest(filterError);
        }

        Func<int, int, CancellationToken, Task<IReadOnlyList<QuarantineRecord>>> read = group is null
            ? (o, c, ct) => ledger.ListAsync(parsed, o, c, from, ct)
            : (o, c, ct) => ledger.ListCampaignAsync(group, parsed, o, c, ct);
        IReadOnlyList<QuarantineRecord> records;
        bool? scanLimited = null;
        if (filter.IsEmpty)
        {
            records = await read(first, size, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            (records, scanLimited) = await filter.ScanAsync(read, first, size, cancellationToken).ConfigureAwait(false);
        }

        var page = new QuarantinePage(parsed, from, first, size, [.. records.Select(r => QuarantineView.From(r, withMessage: false))])
        {
            Campaign = group,
            MinScore = filter.MinScore,
            MaxScore = filter.MaxScore,
            Q = filter.Text,
            ScanLimited = scanLimited,
        };
        return TypedResults.Json(page, OperatorJsonContext.Default.QuarantinePage);
    }

    /// <summary>
    /// The sample's image, downsized to fit <paramref name="size"/> pixels, or an SVG placeholder when the message has
    /// no decodable image. A record's message never changes, so the answer is cacheable by id and size.
    /// </summary>
    public static async Task<IResult> ThumbnailAsync(
        HttpContext http, IQuarantineLedger ledger, string id, int? size, CancellationToken cancellationToken)
    {
        int box = size ?? ThumbnailRenderer.DefaultSize;
        if (box is < ThumbnailRenderer.MinSize or > ThumbnailRenderer.MaxSize)
        {
            return BadRequest($"size must be within {ThumbnailRenderer.MinSize}..{ThumbnailRenderer.MaxSize}");
        }

        var record = await ledger.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return NotFound(id);
        }

        // The tag names the exact bytes the thumbnail came from, so a re-recorded id can never be served stale.
        string etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(record.Value))[..16]}-{box}\"";
        var headers = http.Response.Headers;
        headers.CacheControl = ThumbnailCacheControl;
        headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        Thumbnail thumbnail = ThumbnailRenderer.Render(record.Value, box);
        headers[ThumbnailHeader] = OperatorNames.Of(thumbnail.Kind);
        return TypedResults.Bytes(thumbnail.Bytes, thumbnail.ContentType);
    }

    public static async Task<IResult> GetAsync(IQuarantineLedger ledger, string id, CancellationToken cancellationToken)
    {
        var record = await ledger.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return record is null
            ? NotFound(id)
            : TypedResults.Json(QuarantineView.From(record, withMessage: true), OperatorJsonContext.Default.QuarantineView);
    }

    public static async Task<IResult> AuditAsync(IQuarantineLedger ledger, string id, CancellationToken cancellationToken)
    {
        // Calls on ids never recorded are audited too, so an unknown id answers its (possibly empty) trail, not 404.
        var entries = await ledger.GetAuditAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new AuditTrail(id, [.. entries.Select(AuditView.From)]), OperatorJsonContext.Default.AuditTrail);
    }

    public static async Task<IResult> RefusalsAsync(IRefusalLog refusals, int? count, CancellationToken cancellationToken)
    {
        int size = count ?? DefaultPageSize;
        if (size < 1 || size > RedisQuarantineLedger.MaxPageSize)
        {
            return BadRequest($"count must be within 1..{RedisQuarantineLedger.MaxPageSize}");
        }

        var calls = await refusals.RecentRefusalsAsync(size, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new RefusalPage(calls), OperatorJsonContext.Default.RefusalPage);
    }

    public static async Task<IResult> CountersAsync(IQuarantineLedger ledger, CancellationToken cancellationToken)
    {
        var c = await ledger.CountersAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(
            new CountersView(c.Quarantined, c.Released, c.Rejected, c.AwaitingDecision, c.QuarantinedBySource),
            OperatorJsonContext.Default.CountersView);
    }

    /// <summary>The model in use; a process that runs no stream (the operator API alone) answers <c>stream: false</c>.</summary>
    public static IResult Model(HttpContext http)
    {
        IServiceProvider services = http.RequestServices;
        if (services.GetService<ImageEmbedding>() is not { } embedding)
        {
            return TypedResults.Json(new ModelView(false, null, 0, null, null), OperatorJsonContext.Default.ModelView);
        }

        var sentinel = services.GetService<ClipGuardInstrumentation>()?.SentinelInUse();
        return TypedResults.Json(
            new ModelView(true, embedding.Pipeline?.ModelVersionLabel, sentinel?.Version ?? 0, sentinel?.TrainedAt, sentinel?.Age.TotalSeconds),
            OperatorJsonContext.Default.ModelView);
    }

    public static Task<IResult> ReleaseAsync(HttpContext http, QuarantineReleaser releaser, string id) =>
        DecideAsync(http, id, releaser.ReleaseAsync);

    public static Task<IResult> RejectAsync(HttpContext http, QuarantineReleaser releaser, string id) =>
        DecideAsync(http, id, releaser.RejectAsync);

    public static int StatusCodeOf(OperatorOutcome outcome) => outcome switch
    {
        OperatorOutcome.Applied => StatusCodes.Status200OK,
        OperatorOutcome.AlreadyReleased or OperatorOutcome.AlreadyRejected or OperatorOutcome.InProgress => StatusCodes.Status409Conflict,
        OperatorOutcome.NotFound => StatusCodes.Status404NotFound,
        OperatorOutcome.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>
    /// The actor (<see cref="ActorHeader"/>, else the token's) and the reason (optional JSON body) of a decision call,
    /// or the 400 that refuses them; shared by single and campaign decisions.
    /// </summary>
    public static async Task<(string Actor, string Reason, IResult? Refusal)> ReadDecisionAsync(HttpContext http)
    {
        string? actor = http.Request.Headers[ActorHeader] is { Count: > 0 } named ? named.ToString().Trim() : http.User.Identity?.Name;
        if (QuarantineReleaser.ActorError(actor) is { } actorError)
        {
            return (string.Empty, string.Empty, BadRequest($"{ActorHeader}: {actorError}"));
        }

        DecisionRequest? body;
        try
        {
            body = await ReadBodyAsync(http.Request).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return (actor!, string.Empty, BadRequest($"the body must be JSON like {{\"reason\": \"...\"}}: {ex.Message}"));
        }

        string reason = body?.Reason ?? string.Empty;
        return (actor!, reason, QuarantineReleaser.ReasonError(reason) is { } reasonError ? BadRequest(reasonError) : null);
    }

    public static JsonHttpResult<ErrorView> BadRequest(string error) =>
        TypedResults.Json(new ErrorView(error), OperatorJsonContext.Default.ErrorView, statusCode: StatusCodes.Status400BadRequest);

    private static async Task<IResult> DecideAsync(
        HttpContext http, string id, Func<string, string, string, CancellationToken, Task<OperatorResult>> decide)
    {
        var (actor, reason, refusal) = await ReadDecisionAsync(http).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var result = await decide(id, actor, reason, http.RequestAborted).ConfigureAwait(false);
        if (result.Outcome == OperatorOutcome.Unavailable)
        {
            http.Response.Headers.RetryAfter = LedgerUnavailableFilter.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Json(DecisionView.From(result), OperatorJsonContext.Default.DecisionView, statusCode: StatusCodeOf(result.Outcome));
    }

    private static async Task<DecisionRequest?> ReadBodyAsync(HttpRequest request)
    {
        // The body is optional: a bare POST is a decision without a reason.
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return null;
        }

        return await JsonSerializer.DeserializeAsync(request.Body, OperatorJsonContext.Default.DecisionRequest, request.HttpContext.RequestAborted)
            .ConfigureAwait(false);
    }

    private static JsonHttpResult<ErrorView> NotFound(string id) =>
        TypedResults.Json(new ErrorView($"no quarantined sample with id '{id}'"), OperatorJsonContext.Default.ErrorView, statusCode: StatusCodes.Status404NotFound);
}
