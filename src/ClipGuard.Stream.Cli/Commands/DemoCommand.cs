using System.CommandLine;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Lab.Data;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// `clipguard demo`: the README's run command. On a machine with nothing configured: dev broker, redis-server when
/// installed, a small CLIP trained on poisoned lab scenes, a poisoned crawl of such scenes through the filter, a report
/// against the planted truth, the console.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var samples = new Option<int>("--samples") { Description = "Pairs in the crawl (200..10000)", DefaultValueFactory = _ => 3000 };
        var rate = new Option<double>("--poison-rate") { Description = "Share of planted poisoned pairs", DefaultValueFactory = _ => 0.01 };
        var seed = new Option<int>("--seed") { Description = "Seed of the crawl's sampling and poisoning", DefaultValueFactory = _ => 7 };
        var model = new Option<string?>("--model") { Description = "A model folder (weights + config JSON) to use instead of the demo's own CLIP" };
        var cache = new Option<string>("--cache")
        {
            Description = "Where the demo's own CLIP is trained on the first run and found afterwards",
            DefaultValueFactory = _ => DemoSettings.DefaultCacheDirectory,
        };
        var data = new Option<string>("--data") { Description = "Fashion-MNIST directory", DefaultValueFactory = _ => FashionMnist.DefaultDirectory };
        var exit = new Option<bool>("--exit") { Description = "Exit after the report (also when stdin is not a terminal)" };
        var port = new Option<int>("--port") { Description = "Console port on 127.0.0.1 (0: any free one)", DefaultValueFactory = _ => 0 };
        var token = new Option<string?>("--token") { Description = "Console API token (default: a random one, printed)" };
        var inMemory = new Option<bool>("--in-memory-ledger") { Description = "Do not start redis-server (no console)" };
        var detector = new Option<string>("--detector") { Description = "kdist | lof | slof | dao", DefaultValueFactory = _ => "kdist" };
        detector.AcceptOnlyFromAmong("kdist", "lof", "slof", "dao");
        var command = new Command("demo", "First run: train a small CLIP on poisoned lab scenes (cached), stream a poisoned crawl through the filter, report, open the operator console")
        {
            samples, rate, seed, model, cache, data, exit, port, token, inMemory, detector,
        };
        command.SetAction(p => new DemoRunner(Console.Out, Console.Error).Run(new DemoSettings(
            p.GetValue(samples),
            p.GetValue(rate),
            p.GetValue(seed),
            p.GetValue(model),
            p.GetValue(cache)!,
            p.GetValue(data)!,
            p.GetValue(exit),
            p.GetValue(port),
            p.GetValue(token),
            p.GetValue(inMemory),
            p.GetValue(detector)!)));
        return command;
    }
}
