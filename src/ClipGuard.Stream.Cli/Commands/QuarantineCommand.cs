using System.CommandLine;
using ClipGuard.Stream.Cli.Quarantine;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard quarantine list|show|audit|release|reject</c>: the operator's view of the Redis quarantine ledger.</summary>
internal static class QuarantineCommand
{
    public const string DefaultRedis = "127.0.0.1:6379";

    public static Command Create()
    {
        var redis = new Option<string>("--redis")
        {
            Description = "StackExchange.Redis configuration string of the ledger.",
            DefaultValueFactory = _ => DefaultRedis,
            Recursive = true,
        };
        var keyPrefix = new Option<string>("--key-prefix")
        {
            Description = "Key prefix of the ledger (ClipGuard:Redis:KeyPrefix of the service).",
            DefaultValueFactory = _ => RedisOptions.DefaultKeyPrefix,
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Write JSON (the HTTP API's format) instead of a table.", Recursive = true };
        var command = new Command("quarantine", "List, inspect, release or reject quarantined samples. Exit codes: 0 ok, 2 bad input or unknown id, 3 conflict, 4 Redis or Kafka unavailable.")
        {
            redis, keyPrefix, json,
        };

        Func<ParseResult, string?, string, QuarantineSettings> settings = (parse, bootstrap, cleanTopic) =>
            new QuarantineSettings(parse.GetRequiredValue(redis), parse.GetRequiredValue(keyPrefix), bootstrap, cleanTopic, parse.GetValue(json));
        command.Subcommands.Add(List(parse => settings(parse, null, TopicNames.Clean)));
        command.Subcommands.Add(Show(parse => settings(parse, null, TopicNames.Clean)));
        command.Subcommands.Add(Audit(parse => settings(parse, null, TopicNames.Clean)));
        command.Subcommands.Add(Release(settings));
        command.Subcommands.Add(Reject(parse => settings(parse, null, TopicNames.Clean)));
        return command;
    }

    private static Command List(Func<ParseResult, QuarantineSettings> settings)
    {
        var status = new Option<QuarantineStatus>("--status")
        {
            Description = $"One of: {OperatorNames.StatusList}.",
            DefaultValueFactory = _ => QuarantineStatus.Quarantined,
            CustomParser = r =>
            {
                if (OperatorNames.TryParseStatus(r.Tokens[0].Value, out var parsed))
                {
                    return parsed;
                }

                r.AddError($"--status must be one of: {OperatorNames.StatusList}");
                return default;
            },
        };
        var source = new Option<string?>("--source") { Description = "Only samples from this source (crawler)." };
        var offset = new Option<int>("--offset") { Description = "Skip this many (newest first).", DefaultValueFactory = _ => 0 };
        var count = new Option<int>("--count") { Description = $"At most this many (1..{RedisQuarantineLedger.MaxPageSize}).", DefaultValueFactory = _ => 50 };
        offset.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--offset must be >= 0"); } });
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > RedisQuarantineLedger.MaxPageSize)
            {
                r.AddError($"--count must be within 1..{RedisQuarantineLedger.MaxPageSize}");
            }
        });
        var command = new Command("list", "Samples with a status, newest first (captions, scores, nearest neighbour; never the message bytes).")
        {
            status, source, offset, count,
        };
        command.SetAction((parse, cancel) => QuarantineRunner.ListAsync(
            settings(parse), parse.GetValue(status), parse.GetValue(source), parse.GetValue(offset), parse.GetValue(count), cancel));
        return command;
    }

    private static Command Show(Func<ParseResult, QuarantineSettings> settings)
    {
        var id = IdArgument();
        var command = new Command("show", "One sample: verdict, neighbours, where it came from, its original key and headers.") { id };
        command.SetAction((parse, cancel) => QuarantineRunner.ShowAsync(settings(parse), parse.GetRequiredValue(id), cancel));
        return command;
    }

    private static Command Audit(Func<ParseResult, QuarantineSettings> settings)
    {
        var id = IdArgument();
        var command = new Command("audit", "Every release and reject call made on a sample, oldest first.") { id };
        command.SetAction((parse, cancel) => QuarantineRunner.AuditAsync(settings(parse), parse.GetRequiredValue(id), cancel));
        return command;
    }

    private static Command Release(Func<ParseResult, string?, string, QuarantineSettings> settings)
    {
        var id = IdArgument();
        var (reason, actor) = DecisionOptions();
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers (host:port,...) of the clean topic; required." };
        var cleanTopic = new Option<string>("--clean-topic") { Description = "Topic the released copy goes to.", DefaultValueFactory = _ => TopicNames.Clean };
        var command = new Command("release", "Republish the original message to the clean topic (exactly once) with a clipguard-released-by header.")
        {
            id, reason, actor, bootstrap, cleanTopic,
        };
        command.SetAction((parse, cancel) => QuarantineRunner.DecideAsync(
            settings(parse, parse.GetValue(bootstrap), parse.GetRequiredValue(cleanTopic)),
            release: true, parse.GetRequiredValue(id), parse.GetRequiredValue(actor), parse.GetValue(reason) ?? string.Empty, cancel));
        return command;
    }

    private static Command Reject(Func<ParseResult, QuarantineSettings> settings)
    {
        var id = IdArgument();
        var (reason, actor) = DecisionOptions();
        var command = new Command("reject", "Reject a sample for good; nothing is published.") { id, reason, actor };
        command.SetAction((parse, cancel) => QuarantineRunner.DecideAsync(
            settings(parse), release: false, parse.GetRequiredValue(id), parse.GetRequiredValue(actor), parse.GetValue(reason) ?? string.Empty, cancel));
        return command;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "Sample id." };

    private static (Option<string?> Reason, Option<string> Actor) DecisionOptions() => (
        new Option<string?>("--reason") { Description = "Why; recorded in the audit." },
        new Option<string>("--actor") { Description = "Who decides; recorded in the audit (default: the OS user).", DefaultValueFactory = _ => Environment.UserName });
}
