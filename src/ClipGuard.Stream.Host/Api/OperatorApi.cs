using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Host.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Api;

/// <summary>The operator HTTP API: quarantine list, records, audit, counters, release and reject, behind one bearer token.</summary>
public static class OperatorApi
{
    public const string PolicyName = "ClipGuardOperator";

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
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OperatorJsonContext.Default));
        return builder;
    }

    /// <summary>Largest request body the API reads.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// Maps <c>/api/quarantine</c> and <c>/api/counters</c> (bearer token required), the operator console's static
    /// files under <c>/console/</c> and <c>/healthz</c> (open: neither carries data).
    /// </summary>
    public static WebApplication MapOperatorApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOperatorConsole();

        // Liveness only: a Redis outage must not get the pod restarted, the API answers 503 meanwhile.
        app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous();

        // Decision bodies are a reason of at most 1,024 characters: anything much larger is refused (413) unread.
        var api = app.MapGroup("/api").RequireAuthorization(PolicyName).AddEndpointFilter<LedgerUnavailableFilter>()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxRequestBytes));
        api.MapGet("/counters", QuarantineEndpoints.CountersAsync);
        var quarantine = api.MapGroup("/quarantine");
        quarantine.MapGet("/", QuarantineEndpoints.ListAsync);
        quarantine.MapGet("/{id}", QuarantineEndpoints.GetAsync);
        quarantine.MapGet("/{id}/audit", QuarantineEndpoints.AuditAsync);
        quarantine.MapGet("/{id}/thumbnail", QuarantineEndpoints.ThumbnailAsync);
        quarantine.MapPost("/{id}/release", QuarantineEndpoints.ReleaseAsync);
        quarantine.MapPost("/{id}/reject", QuarantineEndpoints.RejectAsync);
        return app;
    }
}
