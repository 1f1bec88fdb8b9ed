using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>The operator API over real HTTP, on a real redis-server and the dev broker.</summary>
public sealed class OperatorApiTests(OperatorServices services)
{
    private static readonly (HttpMethod Method, string Path)[] Endpoints =
    [
        (HttpMethod.Get, "/api/quarantine"),
        (HttpMethod.Get, "/api/quarantine/laion-1"),
        (HttpMethod.Get, "/api/quarantine/laion-1/audit"),
        (HttpMethod.Get, "/api/quarantine/laion-1/thumbnail"),
        (HttpMethod.Post, "/api/quarantine/laion-1/release"),
        (HttpMethod.Post, "/api/quarantine/laion-1/reject"),
        (HttpMethod.Get, "/api/counters"),
        (HttpMethod.Get, "/api/model"),
        (HttpMethod.Get, "/api/refusals"),
        (HttpMethod.Get, "/api/campaigns"),
        (HttpMethod.Get, "/api/campaigns/campaign-1"),
        (HttpMethod.Post, "/api/campaigns/campaign-1/release"),
        (HttpMethod.Post, "/api/campaigns/campaign-1/reject"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_api_endpoint_answers_401_without_the_right_token_and_healthz_needs_none()
    {
        string prefix = OperatorServices.NewPrefix();
        // 24 wrong tokens from one address: the throttle (its own test below) is set out of the way.
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic(), ("ClipGuard:Api:MaxFailedTokens", "1000"));
        await SeedAsync(prefix, Seeds.Record("laion-1"));
        string sameLength = new('x', OperatorApiHost.Token.Length);
        AuthenticationHeaderValue?[] wrong =
        [
            null,
            new("Bearer", sameLength),
            new("Bearer", OperatorApiHost.Token[..^1]),
            new("Bearer", OperatorApiHost.Token + "x"),
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + OperatorApiHost.Token))),
        ];
        foreach (var (method, path) in Endpoints)
        {
            foreach (var authorization in wrong)
            {
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Authorization = authorization;
                using var response = await api.Anonymous.SendAsync(request, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with '{authorization}': {response.StatusCode}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            }
        }

        // Nothing was decided by the refused calls.
        Assert.Equal("quarantined", (await GetJsonAsync(api.Client, "/api/quarantine/laion-1")).GetProperty("status").GetString());
        Assert.Empty((await GetJsonAsync(api.Client, "/api/quarantine/laion-1/audit")).GetProperty("entries").EnumerateArray());
        using var health = await api.Anonymous.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // Each refused call is in the refusal audit: no bearer token (none, or Basic) and a wrong one told apart.
        (JsonElement[] refusals, _) = await RefusalsAsync(api.Client, expected: Endpoints.Length * wrong.Length);
        var reasons = refusals.GroupBy(r => r.GetProperty("reason").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["missing_token"] = 2 * Endpoints.Length, ["wrong_token"] = 3 * Endpoints.Length }, reasons);
        Assert.Equal(
            Endpoints.Select(e => (e.Method.Method, e.Path)).Order(),
            refusals.Select(r => (r.GetProperty("method").GetString()!, r.GetProperty("path").GetString()!)).Distinct().Order());
    }

    [Fact]
    public async Task Token_guessing_is_refused_with_429_even_for_the_right_token_until_the_window_moves_on()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic(), ("ClipGuard:Api:MaxFailedTokens", "3"), ("ClipGuard:Api:FailedTokenWindow", "00:00:02"));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(api, "guess-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-0123456789abcdef"));
        }

        // Locked out: the right token is refused too, so a lucky guess is not confirmed; Retry-After says for how long.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/counters"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorApiHost.Token);
            using var response = await api.Anonymous.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.InRange(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 2);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusWithTokenAsync(api, "guess-3-0123456789abcdef"));
        await Task.Delay(TimeSpan.FromSeconds(2.2), Ct);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(api, OperatorApiHost.Token));

        // Every refused call is audited (newest first), with the client address and without the token it presented.
        (JsonElement[] refusals, string text) = await RefusalsAsync(api.Client, expected: 5);
        Assert.Equal(
            ["locked_out", "locked_out", "wrong_token", "wrong_token", "wrong_token"],
            refusals.Select(r => r.GetProperty("reason").GetString()));
        Assert.Equal([429, 429, 401, 401, 401], refusals.Select(r => r.GetProperty("status").GetInt32()));
        Assert.All(refusals, r => Assert.Equal(("GET", "/api/counters", "127.0.0.1"), (r.GetProperty("method").GetString(), r.GetProperty("path").GetString(), r.GetProperty("address").GetString())));
        Assert.DoesNotContain("guess-", text, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorApiHost.Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decisions_past_the_rate_limit_are_refused_with_429_decide_nothing_and_are_audited()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic(), ("ClipGuard:Api:DecisionsPerMinute", "2"));
        await SeedAsync(prefix, Seeds.Record("laion-1"), Seeds.Record("laion-2"), Seeds.Record("laion-3"));

        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(api.Client, "laion-1", "reject", "ivan", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(api.Client, "laion-2", "reject", "ivan", null)).Status);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/quarantine/laion-3/reject"))
        {
            using var response = await api.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.InRange(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 60);
        }

        // Reads are not limited; the refused decision changed nothing and left no audit entry on the sample.
        Assert.Equal("quarantined", (await GetJsonAsync(api.Client, "/api/quarantine/laion-3")).GetProperty("status").GetString());
        Assert.Empty((await GetJsonAsync(api.Client, "/api/quarantine/laion-3/audit")).GetProperty("entries").EnumerateArray());
        (JsonElement[] refusals, _) = await RefusalsAsync(api.Client, expected: 1);
        JsonElement refused = Assert.Single(refusals);
        Assert.Equal(("POST", "/api/quarantine/laion-3/reject", 429, "rate_limited"), (
            refused.GetProperty("method").GetString(), refused.GetProperty("path").GetString(),
            refused.GetProperty("status").GetInt32(), refused.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_with_413_and_decides_nothing()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        await SeedAsync(prefix, Seeds.Record("laion-1"));
        string huge = "{\"reason\":\"" + new string('a', 100_000) + "\"}";
        (HttpStatusCode status, _) = await DecideAsync(api.Client, "laion-1", "release", actor: null, huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("quarantined", (await GetJsonAsync(api.Client, "/api/quarantine/laion-1")).GetProperty("status").GetString());
        (JsonElement[] refusals, string text) = await RefusalsAsync(api.Client, expected: 1);
        Assert.Equal((413, "body_too_large"), (refusals[0].GetProperty("status").GetInt32(), refusals[0].GetProperty("reason").GetString()));
        Assert.DoesNotContain("aaaa", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_and_show_return_the_records_and_only_show_carries_the_message_bytes()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        var older = Seeds.Record("laion-000010", "a red bicycle leaning on a wall", "crawl-3") with { QuarantinedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var newer = Seeds.Record("laion-000011", "two cats on a sofa", "crawl-7");
        await SeedAsync(prefix, older, newer);

        var page = await GetJsonAsync(api.Client, "/api/quarantine?status=quarantined&offset=0&count=10");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["laion-000011", "laion-000010"], items.Select(i => i.GetProperty("id").GetString()));
        var first = items[0];
        Assert.Equal("two cats on a sofa", first.GetProperty("caption").GetString());
        Assert.Equal("crawl-7", first.GetProperty("source").GetString());
        Assert.Equal("quarantined", first.GetProperty("status").GetString());
        Assert.Equal(newer.Score, first.GetProperty("score").GetDouble());
        Assert.Equal(newer.NeighbourIds, first.GetProperty("neighbours").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
        Assert.Equal(newer.NeighbourDistances, first.GetProperty("neighbours").EnumerateArray().Select(n => n.GetProperty("distance").GetDouble()));
        Assert.All(items, i => Assert.False(i.TryGetProperty("valueBase64", out _)));
        Assert.All(items, i => Assert.False(i.TryGetProperty("headers", out _)));

        var bySource = await GetJsonAsync(api.Client, "/api/quarantine?source=crawl-3");
        Assert.Equal(["laion-000010"], bySource.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var paged = await GetJsonAsync(api.Client, "/api/quarantine?offset=1&count=1");
        Assert.Equal(["laion-000010"], paged.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        var shown = await GetJsonAsync(api.Client, "/api/quarantine/laion-000010");
        Assert.Equal(older.Value, Convert.FromBase64String(shown.GetProperty("valueBase64").GetString()!));
        Assert.Equal(older.Key, Convert.FromBase64String(shown.GetProperty("keyBase64").GetString()!));
        Assert.Equal(older.Headers.Select(h => h.Name), shown.GetProperty("headers").EnumerateArray().Select(h => h.GetProperty("name").GetString()));
        Assert.Equal(older.QuarantinedAt.ToUnixTimeMilliseconds(), shown.GetProperty("quarantinedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

        // The operator API alone runs no stream: no model to show.
        var model = await GetJsonAsync(api.Client, "/api/model");
        Assert.False(model.GetProperty("stream").GetBoolean());
        Assert.False(model.TryGetProperty("model", out _));
        Assert.Equal(0, model.GetProperty("sentinelVersion").GetInt32());

        var counters = await GetJsonAsync(api.Client, "/api/counters");
        Assert.Equal(2, counters.GetProperty("quarantined").GetInt64());
        Assert.Equal(2, counters.GetProperty("awaitingDecision").GetInt64());
        Assert.Equal(1, counters.GetProperty("quarantinedBySource").GetProperty("crawl-3").GetInt64());

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/quarantine/no-such-id"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/quarantine?status=bogus"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/quarantine?count=0"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(api.Client, HttpMethod.Get, $"/api/quarantine?count={RedisQuarantineLedger.MaxPageSize + 1}"));
    }

    [Fact]
    public async Task A_recall_reads_back_with_the_model_it_was_routed_clean_under()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        await SeedAsync(prefix, Seeds.Record("laion-r1") with { RecalledFrom = "clip@old", ModelVersion = "sentinel@new" }, Seeds.Record("laion-q1"));

        JsonElement recalled = await GetJsonAsync(api.Client, "/api/quarantine/laion-r1");
        Assert.Equal(("clip@old", "sentinel@new"), (recalled.GetProperty("recalledFrom").GetString(), recalled.GetProperty("modelVersion").GetString()));
        JsonElement quarantined = await GetJsonAsync(api.Client, "/api/quarantine/laion-q1");
        Assert.True(!quarantined.TryGetProperty("recalledFrom", out JsonElement none) || none.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_release_over_http_puts_one_copy_on_the_clean_topic_and_a_second_release_is_a_conflict()
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();
        await using var api = await StartApiAsync(prefix, topic);
        var original = Seeds.Record("laion-000123");
        await SeedAsync(prefix, original);

        var (status, body) = await DecideAsync(api.Client, "laion-000123", "release", actor: "grace", json: """{"reason":"benign caption, reviewed"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("applied", "released"), (body.GetProperty("outcome").GetString(), body.GetProperty("status").GetString()));
        ReleasedCopy.AssertCopyOf(original, "grace", Assert.Single(TopicReader.ReadExactly(
            services.Broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2))));

        (status, body) = await DecideAsync(api.Client, "laion-000123", "release", actor: null, json: null);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("already_released", body.GetProperty("outcome").GetString());
        (status, body) = await DecideAsync(api.Client, "laion-000123", "reject", actor: "heidi", json: null);
        Assert.Equal((HttpStatusCode.Conflict, "already_released"), (status, body.GetProperty("outcome").GetString()));
        (status, body) = await DecideAsync(api.Client, "no-such-id", "release", actor: null, json: null);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (status, body.GetProperty("outcome").GetString()));

        var audit = (await GetJsonAsync(api.Client, "/api/quarantine/laion-000123/audit")).GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString()))
            .ToList();
        Assert.Equal(
            [
                ("grace", "release_claim", "claimed", "benign caption, reviewed"),
                ("grace", "release_confirm", "applied", string.Empty),
                ("api-token", "release_claim", "already_released", string.Empty),
                ("heidi", "reject", "already_released", string.Empty),
            ],
            audit);

        // The second copy never came: still exactly one message on the topic.
        Assert.Single(TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_reject_over_http_is_final_and_bad_decision_input_is_refused()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        await SeedAsync(prefix, Seeds.Record("laion-000500"));

        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(api.Client, "laion-000500", "reject", "ivan", "not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(api.Client, "laion-000500", "reject", new string('a', 200), null)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(
            api.Client, "laion-000500", "reject", "ivan", JsonSerializer.Serialize(new { reason = new string('r', 2_000) }))).Status);

        var (status, body) = await DecideAsync(api.Client, "laion-000500", "reject", "ivan", """{"reason":"visible trigger patch"}""");
        Assert.Equal((HttpStatusCode.OK, "applied", "rejected"), (status, body.GetProperty("outcome").GetString(), body.GetProperty("status").GetString()));
        (status, body) = await DecideAsync(api.Client, "laion-000500", "release", "judy", null);
        Assert.Equal((HttpStatusCode.Conflict, "already_rejected"), (status, body.GetProperty("outcome").GetString()));
        (status, _) = await DecideAsync(api.Client, "laion-000500", "reject", "judy", null);
        Assert.Equal(HttpStatusCode.Conflict, status);

        var rejected = await GetJsonAsync(api.Client, "/api/quarantine?status=rejected");
        Assert.Equal(["laion-000500"], rejected.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(1, (await GetJsonAsync(api.Client, "/api/counters")).GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task With_redis_down_every_ledger_call_answers_503_and_healthz_stays_up()
    {
        await using var redis = await RedisServerProcess.StartAsync(Ct);
        string prefix = OperatorServices.NewPrefix();

        // The dev broker's own (pre-created, empty) clean topic: a fresh name would not exist to be read back.
        string topic = TopicNames.Clean;
        await using var api = await OperatorApiHost.StartAsync(OperatorApiHost.Settings(redis.Configuration, prefix, services.Broker.BootstrapServers, topic));
        await Seeds.StoreAsync(redis.Configuration, prefix, Seeds.Record("laion-1"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/quarantine/laion-1"));

        await redis.StopAsync();

        // The model in use is not the ledger's: it still answers.
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/model"));
        foreach (var (method, path) in Endpoints.Where(e => e.Path != "/api/model"))
        {
            // With a reason: a campaign decision needs one, and must get past that check to meet the outage.
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("""{"reason":"outage"}""", Encoding.UTF8, "application/json");
            }

            using var response = await api.Client.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {response.StatusCode}");
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(api.Anonymous, HttpMethod.Get, "/healthz"));

        // Nothing reached the clean topic while the ledger was down.
        await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(() =>
            TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(3)), Ct));
    }

    [Fact]
    public async Task A_campaign_release_publishes_each_quarantined_member_once_and_skips_the_decided_ones()
    {
        string prefix = OperatorServices.NewPrefix();
        string topic = OperatorServices.NewCleanTopic();
        await using var api = await StartApiAsync(prefix, topic);
        DateTimeOffset t = DateTimeOffset.UtcNow.AddMinutes(-10);
        QuarantineRecord[] members = [.. Enumerable.Range(1, 5).Select(i => Member($"m-{i}", "campaign-7", t.AddSeconds(i)))];
        await SeedAsync(prefix, [.. members, Member("o-1", "campaign-8", t.AddSeconds(9)), Seeds.Record("n-1")]);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(api.Client, "m-4", "release", "heidi", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(api.Client, "m-5", "reject", "heidi", null)).Status);

        // Lists and single reads carry the campaign; a sample outside any campaign has none.
        var listed = (await GetJsonAsync(api.Client, "/api/quarantine?count=10")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!, i => i.TryGetProperty("campaign", out JsonElement c) ? c.GetString() : null);
        Assert.Equal(new Dictionary<string, string?> { ["n-1"] = null, ["o-1"] = "campaign-8", ["m-3"] = "campaign-7", ["m-2"] = "campaign-7", ["m-1"] = "campaign-7" }, listed);
        Assert.Equal("campaign-7", (await GetJsonAsync(api.Client, "/api/quarantine/m-5")).GetProperty("campaign").GetString());

        var (status, body) = await DecideCampaignAsync(api.Client, "campaign-7", "release", "grace", """{"reason":"benign, reviewed as a group"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("campaign-7", "released", 3, 2, 0, false), (
            body.GetProperty("campaign").GetString(), body.GetProperty("decision").GetString(), body.GetProperty("applied").GetInt32(),
            body.GetProperty("skipped").GetInt32(), body.GetProperty("failed").GetInt32(), body.GetProperty("stopped").GetBoolean()));
        Assert.Empty(body.GetProperty("failures").EnumerateArray());

        // m-4's own release and one copy of each member that was quarantined; nothing of the rejected one or of others.
        var copies = TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 4, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
        Assert.Equal(["m-1", "m-2", "m-3", "m-4"], copies.Select(c => Encoding.UTF8.GetString(c.Message.Key)).Order(StringComparer.Ordinal));
        foreach (var member in members[..3])
        {
            ReleasedCopy.AssertCopyOf(member, "grace", copies.Single(c => c.Message.Key.AsSpan().SequenceEqual(member.Key)));
            Assert.Equal("released", (await GetJsonAsync(api.Client, $"/api/quarantine/{member.Id}")).GetProperty("status").GetString());
        }

        Assert.Equal(
            [
                ("grace", "release_claim", "claimed", "campaign campaign-7 bulk release: benign, reviewed as a group"),
                ("grace", "release_confirm", "applied", string.Empty),
            ],
            await AuditAsync(api.Client, "m-2"));
        foreach (string id in new[] { "o-1", "n-1" })
        {
            Assert.Equal("quarantined", (await GetJsonAsync(api.Client, $"/api/quarantine/{id}")).GetProperty("status").GetString());
        }

        // Again: nothing left to decide, nothing published, no member audited again.
        (status, body) = await DecideCampaignAsync(api.Client, "campaign-7", "release", "grace", """{"reason":"once more"}""");
        Assert.Equal((HttpStatusCode.OK, 0, 5), (status, body.GetProperty("applied").GetInt32(), body.GetProperty("skipped").GetInt32()));
        Assert.Equal(4, TopicReader.ReadExactly(services.Broker.BootstrapServers, topic, 4, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)).Count);
        Assert.Equal(2, (await AuditAsync(api.Client, "m-2")).Count);

        // The campaigns, newest member first, counted per status.
        var campaigns = (await GetJsonAsync(api.Client, "/api/campaigns")).GetProperty("items").EnumerateArray()
            .Select(c => (c.GetProperty("id").GetString(), c.GetProperty("quarantined").GetInt64(), c.GetProperty("releasing").GetInt64(),
                c.GetProperty("released").GetInt64(), c.GetProperty("rejected").GetInt64(), c.GetProperty("total").GetInt64()))
            .ToList();
        Assert.Equal([("campaign-8", 1L, 0L, 0L, 0L, 1L), ("campaign-7", 0L, 0L, 4L, 1L, 5L)], campaigns);
        var one = await GetJsonAsync(api.Client, "/api/campaigns/campaign-7");
        Assert.Equal(t.AddSeconds(5).ToUnixTimeMilliseconds(), one.GetProperty("latestAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(["campaign-7"], (await GetJsonAsync(api.Client, "/api/campaigns?offset=1&count=1")).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_campaign_reject_decides_every_member_page_by_page_and_audits_each_with_the_bulk_action()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        int size = (2 * CampaignDecider.PageSize) + 1;
        DateTimeOffset t = DateTimeOffset.UtcNow.AddHours(-1);
        await SeedAsync(prefix, [.. Enumerable.Range(0, size).Select(i => Member(BigId(i), "campaign-big", t.AddMilliseconds(i))), Seeds.Record("n-1")]);

        var (status, body) = await DecideCampaignAsync(api.Client, "campaign-big", "reject", "ivan", """{"reason":"coordinated poisoning"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("rejected", size, 0, 0), (
            body.GetProperty("decision").GetString(), body.GetProperty("applied").GetInt32(), body.GetProperty("skipped").GetInt32(), body.GetProperty("failed").GetInt32()));

        var campaign = await GetJsonAsync(api.Client, "/api/campaigns/campaign-big");
        Assert.Equal((0L, (long)size), (campaign.GetProperty("quarantined").GetInt64(), campaign.GetProperty("rejected").GetInt64()));
        var counters = await GetJsonAsync(api.Client, "/api/counters");
        Assert.Equal(((long)size, 1L), (counters.GetProperty("rejected").GetInt64(), counters.GetProperty("awaitingDecision").GetInt64()));
        foreach (string id in new[] { BigId(0), BigId(CampaignDecider.PageSize), BigId(size - 1) })
        {
            Assert.Equal([("ivan", "reject", "applied", "campaign campaign-big bulk reject: coordinated poisoning")], await AuditAsync(api.Client, id));
        }

        Assert.Empty(await AuditAsync(api.Client, "n-1"));

        static string BigId(int i) => "big-" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_campaign_decision_on_an_unknown_campaign_or_without_a_usable_reason_decides_nothing()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic());
        await SeedAsync(prefix, Member("m-1", "campaign-3", DateTimeOffset.UtcNow));

        var (status, body) = await DecideCampaignAsync(api.Client, "campaign-404", "reject", "ivan", """{"reason":"spam"}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("campaign-404", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/campaigns/campaign-404"));

        int room = QuarantineReleaser.MaxReasonLength - "campaign campaign-3 bulk release: ".Length;
        foreach (var (actor, json, expected) in new (string, string?, string)[]
        {
            ("ivan", null, "needs a reason"),
            ("ivan", """{"reason":"   "}""", "needs a reason"),
            ("ivan", "not json", "must be JSON"),
            ("ivan", JsonSerializer.Serialize(new { reason = new string('r', 2_000) }), "more than 1024"),
            ("ivan", JsonSerializer.Serialize(new { reason = new string('r', room + 1) }), $"more than {room}"),
            (new string('a', 200), """{"reason":"spam"}""", "actor"),
        })
        {
            (status, body) = await DecideCampaignAsync(api.Client, "campaign-3", "release", actor, json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("quarantined", (await GetJsonAsync(api.Client, "/api/quarantine/m-1")).GetProperty("status").GetString());
        Assert.Empty(await AuditAsync(api.Client, "m-1"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(api.Client, HttpMethod.Get, "/api/campaigns?count=0"));

        // The longest reason that fits is recorded whole.
        int rejectRoom = QuarantineReleaser.MaxReasonLength - "campaign campaign-3 bulk reject: ".Length;
        (status, _) = await DecideCampaignAsync(api.Client, "campaign-3", "reject", "ivan", JsonSerializer.Serialize(new { reason = new string('r', rejectRoom) }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(QuarantineReleaser.MaxReasonLength, (await AuditAsync(api.Client, "m-1"))[0].Reason.Length);
    }

    [Fact]
    public async Task A_campaign_decision_counts_once_against_the_rate_limit()
    {
        string prefix = OperatorServices.NewPrefix();
        await using var api = await StartApiAsync(prefix, OperatorServices.NewCleanTopic(), ("ClipGuard:Api:DecisionsPerMinute", "2"));
        DateTimeOffset t = DateTimeOffset.UtcNow;
        await SeedAsync(prefix, [.. Enumerable.Range(0, 5).Select(i => Member($"m-{i}", "campaign-5", t.AddSeconds(i))), Member("x-1", "campaign-6", t), Seeds.Record("n-1")]);

        var (status, body) = await DecideCampaignAsync(api.Client, "campaign-5", "reject", "ivan", """{"reason":"spam"}""");
        Assert.Equal((HttpStatusCode.OK, 5), (status, body.GetProperty("applied").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(api.Client, "n-1", "reject", "ivan", null)).Status);

        // The third decision call within the minute is refused, a campaign one as any, and decides nothing.
        (status, _) = await DecideCampaignAsync(api.Client, "campaign-6", "reject", "ivan", """{"reason":"spam"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("quarantined", (await GetJsonAsync(api.Client, "/api/quarantine/x-1")).GetProperty("status").GetString());
        (JsonElement[] refusals, _) = await RefusalsAsync(api.Client, expected: 1);
        Assert.Equal(("/api/campaigns/campaign-6/reject", "rate_limited"), (refusals[0].GetProperty("path").GetString(), refusals[0].GetProperty("reason").GetString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short-token")]
    [InlineData("               ")]
    public async Task The_host_does_not_start_with_a_missing_or_short_token(string token)
    {
        var settings = OperatorApiHost.Settings(services.Redis.Configuration, OperatorServices.NewPrefix(), services.Broker.BootstrapServers, "clean", token);
        await using var app = OperatorApiHost.Build(settings);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Ct));
        Assert.Contains("Token", string.Join(" ", ex.Failures), StringComparison.Ordinal);
    }

    private async Task<OperatorApiHost> StartApiAsync(string prefix, string topic, params (string Key, string Value)[] overrides)
    {
        var settings = OperatorApiHost.Settings(services.Redis.Configuration, prefix, services.Broker.BootstrapServers, topic);
        foreach ((string key, string value) in overrides)
        {
            settings[key] = value;
        }

        return await OperatorApiHost.StartAsync(settings);
    }

    private Task SeedAsync(string prefix, params QuarantineRecord[] records) => Seeds.StoreAsync(services.Redis.Configuration, prefix, records);

    private static QuarantineRecord Member(string id, string campaign, DateTimeOffset at) => Seeds.Record(id) with { Campaign = campaign, QuarantinedAt = at };

    private static async Task<List<(string? Actor, string? Action, string? Outcome, string Reason)>> AuditAsync(HttpClient client, string id) =>
        [.. (await GetJsonAsync(client, $"/api/quarantine/{Uri.EscapeDataString(id)}/audit")).GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString()!))];

    private static Task<(HttpStatusCode Status, JsonElement Body)> DecideCampaignAsync(HttpClient client, string campaign, string verb, string? actor, string? json) =>
        PostDecisionAsync(client, $"/api/campaigns/{Uri.EscapeDataString(campaign)}/{verb}", actor, json);

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The refusal audit once it holds <paramref name="expected"/> calls (they are written after the answer is sent).</summary>
    private static async Task<(JsonElement[] Refusals, string Text)> RefusalsAsync(HttpClient client, int expected)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var response = await client.GetAsync(new Uri("/api/refusals?count=1000", UriKind.Relative), Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            JsonElement[] refusals = [.. JsonDocument.Parse(text).RootElement.GetProperty("refusals").EnumerateArray().Select(e => e.Clone())];
            if (refusals.Length >= expected || attempt == 50)
            {
                Assert.Equal(expected, refusals.Length);
                return (refusals, text);
            }

            await Task.Delay(100, Ct);
        }
    }

    private static async Task<HttpStatusCode> StatusWithTokenAsync(OperatorApiHost api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/counters");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await api.Anonymous.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> StatusOfAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> DecideAsync(HttpClient client, string id, string verb, string? actor, string? json) =>
        PostDecisionAsync(client, $"/api/quarantine/{Uri.EscapeDataString(id)}/{verb}", actor, json);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostDecisionAsync(HttpClient client, string path, string? actor, string? json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (actor is not null)
        {
            request.Headers.Add("X-ClipGuard-Actor", actor);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
