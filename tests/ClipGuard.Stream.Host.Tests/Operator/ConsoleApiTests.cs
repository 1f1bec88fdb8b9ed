using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClipGuard.Stream.Embedding.Preprocessing;
using SkiaSharp;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>What the operator console needs from the API beyond the basics: list filters, thumbnails, the page itself.</summary>
public sealed class ConsoleApiTests(OperatorServices services)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Score_range_and_text_search_filter_the_list_and_page_through_the_matches()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix);
        await Seeds.StoreAsync(services.Redis.Configuration, prefix,
            Seeds.Record("s-1", "a red Sneaker", "crawl-a", score: 1.5),
            Seeds.Record("s-2", "a blue coat", "crawl-a", score: 2.0),
            Seeds.Record("s-3", "a sneaker on grass", "crawl-b", score: 3.0),
            Seeds.Record("s-4", "an ankle boot", "crawl-b", score: 4.0),
            Seeds.Record("s-5", "SNEAKERS for sale", "crawl-c", score: 5.0));

        Assert.Equal(["s-2", "s-3", "s-4"], Ids(await ListAsync(api, "minScore=2&maxScore=4")));
        Assert.Equal(["s-1", "s-3", "s-5"], Ids(await ListAsync(api, "q=sneaker")));
        Assert.Equal(["s-3", "s-4"], Ids(await ListAsync(api, "q=CRAWL-B")));
        Assert.Equal(["s-4"], Ids(await ListAsync(api, "q=s-4")));
        Assert.Equal(["s-3"], Ids(await ListAsync(api, "q=sneaker&minScore=2.5&maxScore=4.5")));
        Assert.Equal(["s-5"], Ids(await ListAsync(api, "q=sneaker&source=crawl-c")));
        Assert.Empty(Ids(await ListAsync(api, "q=sandal")));

        // Paging counts matches, not records read: newest first, so the second page of two holds the oldest match.
        JsonElement page = await ListAsync(api, "q=sneaker&offset=1&count=1");
        Assert.Equal(["s-3"], Ids(page));
        Assert.Equal("sneaker", page.GetProperty("q").GetString());
        Assert.False(page.GetProperty("scanLimited").GetBoolean());
        Assert.Equal(["s-1"], Ids(await ListAsync(api, "q=sneaker&offset=2&count=5")));

        // Without filters the page says nothing about a scan.
        Assert.False((await ListAsync(api, string.Empty)).TryGetProperty("scanLimited", out _));
    }

    [Fact]
    public async Task The_campaign_filter_lists_one_campaigns_members_per_status_and_combines_with_source_and_search()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix);
        DateTimeOffset t = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Seeds.StoreAsync(services.Redis.Configuration, prefix,
            Seeds.Record("k-1", "a red sneaker", "crawl-a") with { Campaign = "campaign-4", QuarantinedAt = t },
            Seeds.Record("k-2", "an ankle boot", "crawl-b") with { Campaign = "campaign-4", QuarantinedAt = t.AddSeconds(1) },
            Seeds.Record("k-3", "a blue coat", "crawl-a") with { Campaign = "campaign-4", QuarantinedAt = t.AddSeconds(2) },
            Seeds.Record("k-4", "a red sneaker", "crawl-a") with { Campaign = "campaign-5", QuarantinedAt = t.AddSeconds(3) },
            Seeds.Record("k-5", "a red sneaker", "crawl-a") with { QuarantinedAt = t.AddSeconds(4) });

        // Newest first, read from the campaign's own index: no scan, so the page says nothing about one.
        JsonElement page = await ListAsync(api, "campaign=campaign-4");
        Assert.Equal(["k-3", "k-2", "k-1"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("campaign-4", page.GetProperty("campaign").GetString());
        Assert.False(page.TryGetProperty("scanLimited", out _));
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.Equal("campaign-4", i.GetProperty("campaign").GetString()));

        // A source within a campaign, the text search and the score range are matched while paging through it.
        JsonElement fromA = await ListAsync(api, "campaign=campaign-4&source=crawl-a");
        Assert.Equal(["k-1", "k-3"], Ids(fromA));
        Assert.False(fromA.GetProperty("scanLimited").GetBoolean());
        Assert.Equal(["k-1"], Ids(await ListAsync(api, "campaign=campaign-4&q=sneaker")));
        Assert.Equal(["k-1"], Ids(await ListAsync(api, "campaign=campaign-4&source=crawl-a&offset=1&count=1")));
        Assert.Empty(Ids(await ListAsync(api, "campaign=campaign-4&q=sneaker&minScore=10")));
        Assert.Empty(Ids(await ListAsync(api, "campaign=campaign-6")));

        // The status filter applies within the campaign too.
        Assert.Empty(Ids(await ListAsync(api, "campaign=campaign-4&status=rejected")));
        using (var reject = await api.Client.PostAsync(new Uri("/api/quarantine/k-3/reject", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        }

        Assert.Equal(["k-3"], Ids(await ListAsync(api, "campaign=campaign-4&status=rejected")));
        Assert.Equal(["k-1", "k-2"], Ids(await ListAsync(api, "campaign=campaign-4")));
        Assert.Equal(["k-1"], Ids(await ListAsync(api, "campaign=campaign-4&source=crawl-a")));
        Assert.Equal(["k-1", "k-4", "k-5"], Ids(await ListAsync(api, "source=crawl-a")));
    }

    [Theory]
    [InlineData("minScore=3&maxScore=2", "must not exceed")]
    [InlineData("minScore=NaN", "finite")]
    [InlineData("maxScore=Infinity", "finite")]
    public async Task Impossible_filters_are_refused_with_the_reason(string query, string expected)
    {
        await using var api = await StartApiAsync(OperatorServices.NewPrefix());
        using var response = await api.Client.GetAsync(new Uri("/api/quarantine?" + query, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_thumbnail_is_the_image_downsized_with_its_aspect_ratio_and_is_cacheable()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix);
        byte[] jpeg = SyntheticImages.Jpeg(300, 150, seed: 5);
        await Seeds.StoreAsync(services.Redis.Configuration, prefix, Seeds.Record("img-1", image: jpeg));

        using var response = await api.Client.GetAsync(new Uri("/api/quarantine/img-1/thumbnail?size=100", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("image", Header(response, "X-ClipGuard-Thumbnail"));
        Assert.True(response.Headers.CacheControl is { Private: true, MaxAge: not null }, response.Headers.CacheControl?.ToString());
        using (var thumbnail = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync(Ct)))
        {
            Assert.Equal((100, 50), (thumbnail.Width, thumbnail.Height));
            using var original = SKBitmap.Decode(jpeg);
            using var expected = original.Resize(new SKImageInfo(100, 50), new SKSamplingOptions(SKFilterMode.Linear));
            Assert.True(MeanAbsoluteDifference(thumbnail, expected) < 12, "the thumbnail does not look like the image");
        }

        // The same request with the tag answers 304 with no body; another size is another tag.
        EntityTagHeaderValue tag = response.Headers.ETag ?? throw new InvalidOperationException("no ETag");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/quarantine/img-1/thumbnail?size=100");
        again.Headers.IfNoneMatch.Add(tag);
        using var notModified = await api.Client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
        using var other = await api.Client.GetAsync(new Uri("/api/quarantine/img-1/thumbnail?size=64", UriKind.Relative), Ct);
        Assert.NotEqual(tag, other.Headers.ETag);

        // Smaller than the box: sent at its own size, never upscaled.
        using var small = await api.Client.GetAsync(new Uri("/api/quarantine/img-1/thumbnail?size=512", UriKind.Relative), Ct);
        using var full = SKBitmap.Decode(await small.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal((300, 150), (full.Width, full.Height));
    }

    [Fact]
    public async Task Samples_without_a_decodable_image_get_a_placeholder_that_says_why()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix);
        await Seeds.StoreAsync(services.Redis.Configuration, prefix,
            Seeds.Record("emb-only"),
            Seeds.Record("broken", image: SyntheticImages.Jpeg(64, 64, seed: 1)[..40]));

        foreach (var (id, kind, text) in new[] { ("emb-only", "embedding_only", "embedding only"), ("broken", "undecodable", "image unreadable") })
        {
            using var response = await api.Client.GetAsync(new Uri($"/api/quarantine/{id}/thumbnail", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(kind, Header(response, "X-ClipGuard-Thumbnail"));
            Assert.Contains(text, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/api/quarantine/nobody/thumbnail", HttpStatusCode.NotFound)]
    [InlineData("/api/quarantine/x/thumbnail?size=8", HttpStatusCode.BadRequest)]
    [InlineData("/api/quarantine/x/thumbnail?size=4096", HttpStatusCode.BadRequest)]
    [InlineData("/api/quarantine/x/thumbnail?size=big", HttpStatusCode.BadRequest)]
    public async Task Bad_thumbnail_requests_are_refused(string path, HttpStatusCode expected)
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix);
        await Seeds.StoreAsync(services.Redis.Configuration, prefix, Seeds.Record("x"));
        using var response = await api.Client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_console_page_is_served_without_the_token_and_the_root_redirects_to_it()
    {
        await using var api = await StartApiAsync(OperatorServices.NewPrefix());
        using var page = await api.Anonymous.GetAsync(new Uri("/console/", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>ClipGuard operator console</title>", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        string csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        foreach (var (file, type) in new[] { ("app.js", "text/javascript"), ("app.css", "text/css") })
        {
            using var asset = await api.Anonymous.GetAsync(new Uri("/console/" + file, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
        }

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = api.Anonymous.BaseAddress };
        using var root = await noRedirects.GetAsync(new Uri("/", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/console/", root.Headers.Location?.OriginalString);
    }

    private async Task<OperatorApiHost> StartApiAsync(string prefix) => await OperatorApiHost.StartAsync(
        OperatorApiHost.Settings(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, OperatorServices.NewCleanTopic()));

    private static async Task<JsonElement> ListAsync(OperatorApiHost api, string query)
    {
        using var response = await api.Client.GetAsync(new Uri("/api/quarantine?" + query, UriKind.Relative), Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{query}: {response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string[] Ids(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static double MeanAbsoluteDifference(SKBitmap a, SKBitmap b)
    {
        double sum = 0;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                SKColor p = a.GetPixel(x, y), q = b.GetPixel(x, y);
                sum += Math.Abs(p.Red - q.Red) + Math.Abs(p.Green - q.Green) + Math.Abs(p.Blue - q.Blue);
            }
        }

        return sum / (3.0 * a.Width * a.Height);
    }
}
