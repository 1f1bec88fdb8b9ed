using System.Threading.RateLimiting;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Host.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// The operator HTTP API: quarantine list, records, audit, counters, campaigns, release and reject of one sample or of
/// a whole campaign (rate-limited per client address), and the audit of refused calls, behind one bearer token.
/// </summary>
public static class OperatorApi
{
    public const string PolicyName = "ClipGuardOperator";

    /// <summary>The rate limit of release and reject calls, per client address (<see cref="OperatorApiOptions.DecisionsPerMinute"/>).</summary>
    public const string DecisionsPolicy = "ClipGuardDecisions";

    /// <summary>
    /// Registers <see cref="OperatorApiOptions"/> (<c>ClipGuard:Api</c>, validated at start), the release path
    /// (<see cref="OperatorHostingExtensions.AddClipGuardOperator"/>), bearer-token authentication and the JSON contract.
    /// </summary>
    public static IHostApplicationBuilder AddClipGuardOperatorApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddClipGuardOperator();
        var services = builder.Services;
        services.AddOptions<OperatorApiOptions>()
            .Bind(builder.Configuration.GetSection(OperatorApiOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OperatorApiOptions>, OperatorApiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FailedTokenThrottle>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, configureOptions: null);

        // The policy names its scheme, so the API stays behind the token whatever default scheme the host picks.
        services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, policy => policy.AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser());
        services.AddRateLimiter(limits =>
        {
            limits.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limits.AddPolicy(DecisionsPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress(http),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<OperatorApiOptions>>().Value.DecisionsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limits.OnRejected = (rejected, _) =>
            {
                HttpContext http = rejected.HttpContext;
                RefusalReasons.Set(http, RefusalReasons.RateLimited);
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait))
                {
                    http.Response.Headers[HeaderNames.RetryAfter] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                Operator.Log.ApiDecisionsThrottled(
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperatorApi).FullName!),
                    ClientAddress(http),
                    http.RequestServices.GetRequiredService<IOptions<OperatorApiOptions>>().Value.DecisionsPerMinute);
                return ValueTask.CompletedTask;
            };
        });
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OperatorJsonContext.Default));
        return builder;
    }

    /// <summary>Largest request body the API reads.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// Maps <c>/api/quarantine</c>, <c>/api/campaigns</c>, <c>/api/counters</c>, <c>/api/model</c> and <c>/api/refusals</c> (bearer token required; every refused
    /// call audited by <see cref="RefusalAuditMiddleware"/>), the operator console's static
    /// files under <c>/console/</c> and <c>/healthz</c> (open: neither carries data).
    /// </summary>
    public static WebApplication MapOperatorApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RefusalAuditMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOperatorConsole();

        // Liveness only: a Redis outage must not get the pod restarted, the API answers 503 meanwhile.
        app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous();

        // Decision bodies are a reason of at most 1,024 characters: anything much larger is refused (413) unread.
        var api = app.MapGroup("/api").RequireAuthorization(PolicyName).AddEndpointFilter<LedgerUnavailableFilter>()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxRequestBytes));
        api.MapGet("/counters", QuarantineEndpoints.CountersAsync);
        api.MapGet("/model", QuarantineEndpoints.Model);
        var quarantine = api.MapGroup("/quarantine");
        quarantine.MapGet("/", QuarantineEndpoints.ListAsync);
        quarantine.MapGet("/{id}", QuarantineEndpoints.GetAsync);
        quarantine.MapGet("/{id}/audit", QuarantineEndpoints.AuditAsync);
        quarantine.MapGet("/{id}/thumbnail", QuarantineEndpoints.ThumbnailAsync);
        quarantine.MapPost("/{id}/release", QuarantineEndpoints.ReleaseAsync).RequireRateLimiting(DecisionsPolicy);
        quarantine.MapPost("/{id}/reject", QuarantineEndpoints.RejectAsync).RequireRateLimiting(DecisionsPolicy);
        api.MapGet("/refusals", QuarantineEndpoints.RefusalsAsync);

        // A bulk decision is one call against the decisions limit, however many members it decides.
        var campaigns = api.MapGroup("/campaigns");
        campaigns.MapGet("/", CampaignEndpoints.ListAsync);
        campaigns.MapGet("/{id}", CampaignEndpoints.GetAsync);
        campaigns.MapPost("/{id}/release", CampaignEndpoints.ReleaseAsync).RequireRateLimiting(DecisionsPolicy);
        campaigns.MapPost("/{id}/reject", CampaignEndpoints.RejectAsync).RequireRateLimiting(DecisionsPolicy);
        return app;
    }

    /// <summary>The client address calls are throttled and audited by.</summary>
    internal static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
