using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClipGuard.Stream.Host.Api;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the one configured operator token.</summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<OperatorApiOptions> apiOptions,
    FailedTokenThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ClipGuardBearer";
    private const string Prefix = "Bearer ";

    /// <summary>Set on a request refused by the throttle: the challenge answers 429 instead of 401.</summary>
    private TimeSpan? _lockedFor;

    private readonly OperatorApiOptions _api = apiOptions.Value;

    /// <summary>
    /// Compares SHA-256 digests in constant time rather than the tokens themselves: a plain comparison, even
    /// <see cref="CryptographicOperations.FixedTimeEquals"/>, returns early on a length mismatch and so leaks the length.
    /// </summary>
    public static bool Matches(string presented, string expected) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
        SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string address = OperatorApi.ClientAddress(Context);
        if (throttle.IsLocked(address, out TimeSpan retryAfter))
        {
            _lockedFor = retryAfter;
            RefusalReasons.Set(Context, RefusalReasons.LockedOut);
            Operator.Log.ApiTokenThrottled(Logger, address);
            return Task.FromResult(AuthenticateResult.Fail("too many wrong bearer tokens from this address"));
        }

        if (!Matches(header[Prefix.Length..].Trim(), _api.Token))
        {
            Operator.Log.ApiBadToken(Logger, address);
            RefusalReasons.Set(Context, RefusalReasons.WrongToken);
            if (throttle.RecordFailure(address))
            {
                Operator.Log.ApiTokenLockout(Logger, address, _api.MaxFailedTokens, _api.FailedTokenWindow.TotalSeconds);
            }

            return Task.FromResult(AuthenticateResult.Fail("invalid bearer token"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, _api.Actor)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_lockedFor is { } wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers[HeaderNames.RetryAfter] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Task.CompletedTask;
    }
}
