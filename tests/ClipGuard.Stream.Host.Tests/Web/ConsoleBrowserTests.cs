using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Tests.Operator;
using ClipGuard.Stream.Host.Tests.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;
using Confluent.Kafka;
using Microsoft.Playwright;

namespace ClipGuard.Stream.Host.Tests.Web;

/// <summary>
/// The operator console in headless Chromium against the real service (`clipguard run` as a child process, the dev
/// broker, redis-server): an operator signs in, sees a quarantined sample's thumbnail, releases it after confirming,
/// and the released copy arrives on the clean topic; then filters, and rejects another one. Campaigns, which the
/// stream confirms only under the conformal rule, are seeded into the ledger behind the operator API alone.
/// </summary>
public sealed class ConsoleBrowserTests(OperatorServices services) : IDisposable
{
    private const string Token = "console-e2e-token-0123456789abcdef";

    /// <summary>Every caption starts with markup that would run a script if the console ever parsed captions as HTML.</summary>
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private const int Samples = 500;
    private const int Dim = 16;
    private static readonly TimeSpan RouteTimeout = TimeSpan.FromMinutes(2);
    private static readonly float Timeout = 30_000;

    private readonly string _shots = Directory.CreateTempSubdirectory("clipguard-console-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_shots, recursive: true);

    [Fact]
    public async Task An_operator_signs_in_sees_the_thumbnail_and_releases_a_sample_onto_the_clean_topic()
    {
        await using HeadlessChromium chromium = await HeadlessChromium.LaunchAsync();
        await using DevBrokerProcess broker = await DevBrokerProcess.StartAsync();
        await using RedisServerProcess redis = await RedisServerProcess.StartAsync(Ct);
        Publish(broker.BootstrapServers);
        using var outputs = new OutputCollector(broker.BootstrapServers);
        int port = FreePorts.FindConsecutive(1);
        await using var service = ServiceProcess.Start(
        [
            "--bootstrap", broker.BootstrapServers, "--redis", redis.Configuration, "--dimension", Dim.ToString(CultureInfo.InvariantCulture),
            "--bootstrap-size", "250", "--hold-back", "50", "--max-source-share", "0.5", "--api-token", Token,
            "--urls", $"http://127.0.0.1:{port}",
        ]);
        List<RoutedCopy> routed = outputs.WaitForDistinct(Samples, RouteTimeout, () => service.Output, () => service.HasExited);
        RoutedCopy target = routed.First(c => c.Topic == TopicNames.Quarantine);

        IPage page = await chromium.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var scriptErrors = new List<string>();
        page.Console += (_, m) =>
        {
            // The refused logins answer 401 on purpose; anything else (a CSP violation, a script error) is a defect.
            if (m.Type == "error" && !m.Text.Contains("401", StringComparison.Ordinal))
            {
                lock (scriptErrors)
                {
                    scriptErrors.Add($"{m.Text} ({m.Location})");
                }
            }
        };
        page.PageError += (_, e) => { lock (scriptErrors) { scriptErrors.Add(e); } };
        var dialogs = new List<string>();
        page.Dialog += (_, d) => { lock (dialogs) { dialogs.Add(d.Message); } };
        await page.GotoAsync($"http://127.0.0.1:{port}/");
        await page.Locator("#login-view").WaitForAsync();
        await Shot(page, "login");

        // A wrong token is refused and the operator stays on the login form.
        await page.FillAsync("#token", "not-the-token-but-long-enough");
        await page.ClickAsync("#login-button");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("refused");
        Assert.True(await page.Locator("#app-view").IsHiddenAsync());

        await page.FillAsync("#token", Token);
        await page.ClickAsync("#login-button");
        ILocator row = page.Locator($"tr[data-id=\"{target.Id}\"]");
        await row.WaitForAsync();
        await WaitForImageAsync(page, $"tr[data-id=\"{target.Id}\"] img.thumb");
        Assert.Equal("image", await row.Locator("img.thumb").GetAttributeAsync("data-kind"));
        await Assertions.Expect(page.Locator("#count-quarantined")).ToHaveTextAsync(
            routed.Count(c => c.Topic == TopicNames.Quarantine).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(row).ToContainTextAsync($"{Hostile} caption of {target.Id}");
        // This service embeds nothing itself (--dimension, embeddings in the messages), and says so.
        await Assertions.Expect(page.Locator("#model-in-use")).ToHaveTextAsync("embeddings in messages");
        await Shot(page, "list");

        // Detail, then release behind a confirmation that names the sample.
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#detail-id")).ToHaveTextAsync(target.Id);
        await WaitForImageAsync(page, "#detail-thumb");
        Assert.True(await page.Locator("#detail-neighbours tr").CountAsync() > 0);

        // The hostile captions rendered as text: shown literally, no element made of them, no script ran.
        await Assertions.Expect(page.Locator("#detail-caption")).ToHaveTextAsync($"{Hostile} caption of {target.Id}");
        Assert.Equal(0, await page.Locator("img[src='x']").CountAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.querySelectorAll('[onerror]').length"));
        await page.ClickAsync("#release-button");
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync(target.Id);
        await page.FillAsync("#confirm-reason", "false positive: checked by eye");
        await Shot(page, "confirm");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#toast")).ToContainTextAsync($"{target.Id}: released");
        await Assertions.Expect(row).ToHaveCountAsync(0);

        RoutedCopy copy = WaitForRelease(outputs, target.Id);
        Assert.Equal(target.Value, copy.Value);
        Assert.Equal("api-token", copy.Headers[ClipGuardHeaders.ReleasedBy]);

        // Filtering by text narrows the list to the one sample; rejecting it asks first, then lists it as rejected.
        RoutedCopy other = routed.Last(c => c.Topic == TopicNames.Quarantine);
        Assert.NotEqual(target.Id, other.Id);
        await page.FillAsync("#filter-q", other.Id);
        await page.ClickAsync("#filters button[type=submit]");
        await Assertions.Expect(page.Locator("#rows tr")).ToHaveCountAsync(1);
        await page.ClickAsync($"tr[data-id=\"{other.Id}\"]");
        await page.ClickAsync("#reject-button");
        await Assertions.Expect(page.Locator("#confirm-title")).ToHaveTextAsync("Reject this sample?");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#toast")).ToContainTextAsync($"{other.Id}: rejected");
        await page.SelectOptionAsync("#filter-status", "rejected");
        await page.ClickAsync("#filters button[type=submit]");
        await Assertions.Expect(page.Locator($"tr[data-id=\"{other.Id}\"]")).ToHaveCountAsync(1);
        Assert.DoesNotContain(outputs.Snapshot(), c => c.Id == other.Id && c.Topic == TopicNames.Clean);

        // A token that stops working mid-session sends the operator back to the login form at the next poll (every 2 s).
        await page.EvaluateAsync("() => sessionStorage.setItem('clipguard.token', 'revoked-token-0123456789')");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("sign in again");
        Assert.True(await page.Locator("#app-view").IsHiddenAsync());

        // So does a refused token found on opening the page. (Set only now: the login form stopped the poll, whose
        // 401 would otherwise clear the stored token between setting it and the reload.)
        await page.EvaluateAsync("() => sessionStorage.setItem('clipguard.token', 'revoked-token-0123456789')");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("sign in again");
        Assert.True(await page.Locator("#app-view").IsHiddenAsync());
        lock (scriptErrors)
        {
            Assert.True(scriptErrors.Count == 0, string.Join("\n", scriptErrors));
        }

        lock (dialogs)
        {
            Assert.True(dialogs.Count == 0, "a caption ran a script: " + string.Join("\n", dialogs));
        }

        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task An_operator_sees_a_campaign_as_one_group_and_rejects_it_all_behind_a_required_reason()
    {
        await using HeadlessChromium chromium = await HeadlessChromium.LaunchAsync();
        string prefix = OperatorServices.NewPrefix();
        await using var api = await OperatorApiHost.StartAsync(
            OperatorApiHost.Settings(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, OperatorServices.NewCleanTopic()));
        DateTimeOffset t = DateTimeOffset.UtcNow.AddMinutes(-5);
        string[] members = ["cm-1", "cm-2", "cm-3", "cm-4"];
        await Seeds.StoreAsync(services.Redis.Configuration, prefix,
        [
            .. members.Select((id, i) => Seeds.Record(id, $"{Hostile} member {id}") with { Campaign = "campaign-3", QuarantinedAt = t.AddSeconds(i) }),
            Seeds.Record("co-1") with { Campaign = "campaign-4", QuarantinedAt = t.AddSeconds(10) },
            Seeds.Record("n-1") with { QuarantinedAt = t.AddSeconds(11) },
        ]);
        using (var rejected = await api.Client.PostAsync(new Uri("/api/quarantine/cm-4/reject", UriKind.Relative), null, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, rejected.StatusCode);
        }

        IPage page = await chromium.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var scriptErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { lock (scriptErrors) { scriptErrors.Add($"{m.Text} ({m.Location})"); } } };
        page.PageError += (_, e) => { lock (scriptErrors) { scriptErrors.Add(e); } };
        await page.GotoAsync(new Uri(api.Client.BaseAddress!, "/console/").ToString());
        await page.FillAsync("#token", OperatorApiHost.Token);
        await page.ClickAsync("#login-button");

        // The campaign is one row with its members counted per status; the list names each sample's campaign.
        ILocator group = page.Locator("tr[data-campaign=\"campaign-3\"]");
        await group.WaitForAsync();
        IReadOnlyList<string> cells = await group.Locator("td").AllInnerTextsAsync();
        Assert.Equal(["campaign-3", "3", "0", "0", "1"], [cells[0], cells[2], cells[3], cells[4], cells[5]]);
        await Assertions.Expect(page.Locator("#campaign-rows tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("tr[data-id=\"cm-2\"]")).ToContainTextAsync("campaign-3");
        await Assertions.Expect(page.Locator("tr[data-id=\"n-1\"]")).ToContainTextAsync("—");

        // "Show" lists the campaign's members awaiting a decision.
        await group.Locator("button", new() { HasTextString = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rows tr")).ToHaveCountAsync(3);
        Assert.Equal(["cm-3", "cm-2", "cm-1"], await page.Locator("#rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"));
        await Shot(page, "campaigns");

        // Reject all: the confirmation names the campaign and how many members it decides, and will not go without a reason.
        await group.Locator("button", new() { HasTextString = "Reject all" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-title")).ToHaveTextAsync("Reject the whole campaign?");
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("3 samples of campaign “campaign-3”");
        await page.ClickAsync("#confirm-ok");
        Assert.True(await page.Locator("#confirm-dialog").IsVisibleAsync(), "the campaign was decided without a reason");
        await page.FillAsync("#confirm-reason", "one coordinated poisoning run");
        await Shot(page, "campaign-confirm");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#toast")).ToContainTextAsync("campaign-3: 3 rejected, 1 skipped");
        await Assertions.Expect(group.Locator("td").Nth(2)).ToHaveTextAsync("0");
        await Assertions.Expect(group.Locator("td").Nth(5)).ToHaveTextAsync("4");
        await Assertions.Expect(group.Locator("button", new() { HasTextString = "Reject all" })).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#rows tr")).ToHaveCountAsync(0);

        // The ledger agrees: every member rejected with the bulk action in its audit, the other samples untouched.
        foreach (string id in members[..3])
        {
            using var audit = System.Text.Json.JsonDocument.Parse(await api.Client.GetStringAsync(new Uri($"/api/quarantine/{id}/audit", UriKind.Relative), Ct));
            var entry = Assert.Single(audit.RootElement.GetProperty("entries").EnumerateArray());
            Assert.Equal(("reject", "applied", "campaign campaign-3 bulk reject: one coordinated poisoning run"), (
                entry.GetProperty("action").GetString(), entry.GetProperty("outcome").GetString(), entry.GetProperty("reason").GetString()));
        }

        foreach (string id in new[] { "co-1", "n-1" })
        {
            using var record = System.Text.Json.JsonDocument.Parse(await api.Client.GetStringAsync(new Uri($"/api/quarantine/{id}", UriKind.Relative), Ct));
            Assert.Equal("quarantined", record.RootElement.GetProperty("status").GetString());
        }

        lock (scriptErrors)
        {
            Assert.True(scriptErrors.Count == 0, string.Join("\n", scriptErrors));
        }
    }

    /// <summary>Waits until the image has really been decoded by the browser (a broken or empty image has naturalWidth 0).</summary>
    private static async Task WaitForImageAsync(IPage page, string selector) =>
        await page.WaitForFunctionAsync(
            "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }", selector);

    private static RoutedCopy WaitForRelease(OutputCollector outputs, string id)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (outputs.Snapshot().FirstOrDefault(c => c.Topic == TopicNames.Clean && c.Id == id && c.Headers.ContainsKey(ClipGuardHeaders.ReleasedBy)) is { } copy)
            {
                return copy;
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException($"no released copy of {id} on {TopicNames.Clean} within 60 s");
    }

    /// <summary>Clustered embeddings with planted outliers, each with its own small JPEG so every sample has a thumbnail.</summary>
    private static void Publish(string bootstrap)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(Samples, Dim, clusters: 5, outlierFraction: 0.03, seed: 77);
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        for (int i = 0; i < Samples; i++)
        {
            string id = "e2e-" + i.ToString(CultureInfo.InvariantCulture);
            var envelope = new SampleEnvelope(id, $"{Hostile} caption of {id}", data.RowReadOnly(i).ToArray(), SyntheticImages.Jpeg(64, 48, seed: i), source: $"crawler-{i % 3}");
            producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = EnvelopeWriter.ToUtf8Bytes(envelope) });
        }

        producer.Flush(Ct);
    }

    /// <summary>Screenshots go to a temporary folder (checked non-empty) and, when CLIPGUARD_CONSOLE_SCREENSHOTS names a folder, there too.</summary>
    private async Task Shot(IPage page, string name)
    {
        byte[] png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_shots, name + ".png") });
        Assert.True(png.Length > 1000, $"screenshot {name} is empty");
        if (Environment.GetEnvironmentVariable("CLIPGUARD_CONSOLE_SCREENSHOTS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            await File.WriteAllBytesAsync(Path.Combine(keep, name + ".png"), png, Ct);
        }
    }
}
