using System.CommandLine;
using ClipGuard.Stream.Offline;
using ClipGuard.Stream.Offline.Publishing;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>The options of <c>clipguard publish</c> that only <c>--input</c> takes, and the settings they make.</summary>
internal sealed class PublishInputOptions
{
    private readonly Option<long?> _limit = new("--limit") { Description = "With --input: stop after N pairs are published." };
    private readonly Option<string?> _shard = EmbedCommand.ShardOption();
    private readonly Option<bool> _noImageCheck = new("--no-image-check")
    {
        Description = "With --input: send images without decoding them first (the service then dead-letters unreadable ones).",
    };

    private readonly Option<int> _workers = new("--decode-workers")
    {
        Description = "With --input: parallel image checks (0 = one per core).",
        DefaultValueFactory = _ => 0,
    };

    private IEnumerable<Option> All => [_limit, _shard, _noImageCheck, _workers];

    public void AddTo(Command command)
    {
        foreach (Option option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The first of these options given on the command line, for the "goes with --input" error.</summary>
    public string? FirstGiven(System.CommandLine.Parsing.CommandResult result) =>
        All.FirstOrDefault(o => result.GetResult(o) is { Implicit: false })?.Name;

    public PairPublishSettings Settings(ParseResult parse, string input) => new(input)
    {
        Limit = parse.GetValue(_limit),
        Shard = ShardSelection.Parse(parse.GetValue(_shard)),
        CheckImages = !parse.GetValue(_noImageCheck),
        DecodeWorkers = parse.GetValue(_workers),
    };
}
