using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace ClipGuard.Stream.Host.Web;

/// <summary>
/// The operator console: a static single page embedded in this assembly (no node at build or run time) that talks
/// to the operator API with the bearer token the operator types in. The files hold no data, so they are served
/// without the token; every call they make needs it.
/// </summary>
internal static class OperatorConsole
{
    public const string Path = "/console";

    /// <summary>Own scripts, styles and API only; thumbnails arrive as blob: URLs (fetched with the token).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication MapOperatorConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new EmbeddedFileProvider(typeof(OperatorConsole).Assembly, "ClipGuard.Stream.Host.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            OnPrepareResponse = c =>
            {
                var headers = c.Context.Response.Headers;
                // The page is small and changes with the binary: revalidate rather than run yesterday's script.
                headers.CacheControl = "no-cache";
                // The token sits in sessionStorage, readable by any script on this origin: only our own may run.
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
            },
        });
        // "/console" itself is redirected to "/console/" by the default-files middleware.
        app.MapGet("/", () => TypedResults.Redirect(Path + "/")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
