using Microsoft.Playwright;

namespace ClipGuard.Stream.Host.Tests.Web;

/// <summary>Debian's chromium, headless, driven by Playwright's bundled node driver (no browser download).</summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Skips the calling test, saying why, when chromium is not installed (scripts/install-deps.sh test installs it).</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        Assert.SkipUnless(File.Exists(ExecutablePath),
            $"{ExecutablePath} is missing: the console's browser tests need Debian's chromium (bash scripts/install-deps.sh test)");
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async Task<IPage> NewPageAsync()
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
