using System.CommandLine;
using ClipGuard.Stream.Cli.Sentinel;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard lab sentinel</c>: the model loop measured on a lab stream (docs/sentinel.md).</summary>
internal static class LabSentinelCommand
{
    public static Command Create()
    {
        var d = new SentinelLabSettings(".", ClipGuard.Stream.Lab.Data.FashionMnist.DefaultDirectory);
        var model = new SmallClipOptions();
        var o = new
        {
            Out = new Option<string>("--out") { Description = "Run folder: the starting model, seed, sentinel directory, logs, report.md", Required = true },
            Data = new Option<string>("--data") { Description = "Fashion-MNIST directory (IDX .gz files)", DefaultValueFactory = _ => d.DataDirectory },
            Scenes = LabCommand.Int("--scenes", "Stream length (lab scenes)", d.Scenes),
            Poisons = LabCommand.Int("--poisons", "BadNets poisons in the stream", d.Poisons),
            PoisonFrom = new Option<double>("--poison-from") { Description = "Where the campaign starts (share of the stream)", DefaultValueFactory = _ => d.PoisonFrom },
            Rounds = new Option<string>("--rounds") { Description = "After which shares of the stream a sentinel round trains and is swapped in (comma-separated, ascending)", DefaultValueFactory = _ => "0.6,1.0" },
            Seed = LabCommand.Int("--seed", "Seed of scenes, poisons and training", d.Seed),
            PatchSize = LabCommand.Int("--patch-size", "BadNets patch side in pixels", d.PatchSize),
            CleanScenes = LabCommand.Int("--clean-scenes", "Clean scenes the starting model is trained on", d.CleanScenes),
            SeedSize = LabCommand.Int("--seed-size", "Trusted clean seed pairs", d.SeedSize),
            Epochs = LabCommand.Int("--epochs", "Epochs of the starting model and of every round", d.Epochs),
            FitSeedShare = new Option<double>("--fit-seed-share") { Description = "Share of the trusted seed every sentinel trains on and judges the window against (ClipGuard:Sentinel:FitSeedShare; 0: the window is judged against the unseen seed)", DefaultValueFactory = _ => d.FitSeedShare },
            TrainOnSeed = new Option<bool>("--train-on-seed") { Description = "Sentinel rounds train on the trusted seed too (clipguard sentinel --train-on-seed)" },
            BudgetConfidence = new Option<double?>("--budget-confidence") { Description = "The service's --budget-confidence (unset: the marginal rule)" },
            CalibrationPool = new Option<int?>("--calibration-pool") { Description = "The service's calibration pool size (unset: its default)" },
            Chunk = LabCommand.Int("--chunk", "Pairs published at a time", d.Chunk),
            Threads = LabCommand.Int("--threads", "libtorch threads while training (0 = one per core)", d.Threads),
            Rejudge = new Option<ClipGuard.Stream.Host.Settings.RejudgePolicy>("--rejudge") { Description = "Which samples each swap judges: EveryRound (the whole window; the report also estimates Once) or Once (the service's default, run as is)", DefaultValueFactory = _ => d.Rejudge },
            ReuseRounds = new Option<bool>("--reuse-rounds") { Description = "Keep each round's checkpoint under OUT/round-cache and, on a later run with the same settings, swap it in instead of training again" },
        };
        var command = new Command("sentinel", "Measure the model loop: a service started on a clean-only model, a campaign part-way through, sentinel rounds swapped in, recalls");
        Option[] options = [o.Out, o.Data, o.Scenes, o.Poisons, o.PoisonFrom, o.Rounds, o.Seed, o.PatchSize, o.CleanScenes, o.SeedSize, o.Epochs, o.FitSeedShare, o.TrainOnSeed, o.BudgetConfidence, o.CalibrationPool, o.Chunk, o.Threads, o.Rejudge, o.ReuseRounds, .. model.All];
        foreach (Option option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(p =>
        {
            double[] rounds;
            try
            {
                rounds = [.. p.GetValue(o.Rounds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture))];
            }
            catch (FormatException)
            {
                Console.Error.WriteLine("clipguard lab sentinel: --rounds takes comma-separated shares, e.g. 0.6,1.0");
                return 2;
            }

            var settings = new SentinelLabSettings(p.GetValue(o.Out)!, p.GetValue(o.Data)!)
            {
                Scenes = p.GetValue(o.Scenes), Poisons = p.GetValue(o.Poisons), PoisonFrom = p.GetValue(o.PoisonFrom), Rounds = rounds, Seed = p.GetValue(o.Seed), PatchSize = p.GetValue(o.PatchSize),
                CleanScenes = p.GetValue(o.CleanScenes), SeedSize = p.GetValue(o.SeedSize), Epochs = p.GetValue(o.Epochs), FitSeedShare = p.GetValue(o.FitSeedShare), TrainOnSeed = p.GetValue(o.TrainOnSeed), BudgetConfidence = p.GetValue(o.BudgetConfidence) ?? double.NaN, CalibrationPool = p.GetValue(o.CalibrationPool), Chunk = p.GetValue(o.Chunk),
                Threads = p.GetValue(o.Threads), Rejudge = p.GetValue(o.Rejudge), ReuseRounds = p.GetValue(o.ReuseRounds), Model = model.Read(p),
            };
            return new SentinelLabRunner(Console.Out, Console.Error).Run(settings);
        });
        return command;
    }
}
