using System.CommandLine;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Offline.Sentinel;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard sentinel</c>: trains sentinel checkpoints on the window a service keeps (docs/sentinel.md).</summary>
internal static class SentinelCommand
{
    public static Command Create()
    {
        var model = new SmallClipOptions();
        var defaults = new SentinelSettings(".");
        var o = new
        {
            Dir = new Option<string>("--dir") { Description = "The sentinel directory the services were given (ClipGuard:Sentinel:Directory)", Required = true },
            Every = LabCommand.Int("--every", "New window pairs since the newest checkpoint that start a round", defaults.Every),
            MinPairs = LabCommand.Int("--min-pairs", "Window pairs the first round waits for", defaults.MinimumPairs),
            Poll = new Option<double>("--poll") { Description = "Seconds between looks at the window", DefaultValueFactory = _ => defaults.Poll.TotalSeconds },
            Once = new Option<bool>("--once") { Description = "Train one round now and exit (exit code 3 when another trainer holds the lock)" },
            TrainOnSeed = new Option<bool>("--train-on-seed") { Description = "Train on the trusted seed's pairs too (off: the seed calibrates the new model's verdicts, and calibration pairs are kept out of training)" },
            Labels = new Option<string?>("--labels") { Description = "Optional CSV with columns key,poisoned (0/1) (the lab): poisons' alignment reported per epoch" },
            Epochs = LabCommand.Int("--epochs", "Epochs per round (each round trains from scratch on the window)", defaults.Epochs),
            Batch = LabCommand.Int("--batch", "Pairs per step", TrainSettings.DefaultBatch),
            Lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate", DefaultValueFactory = _ => TrainSettings.DefaultLearningRate },
            Seed = LabCommand.Int("--seed", "Seed (each round adds its version)", 1),
            Threads = LabCommand.Int("--threads", "libtorch threads (0 = one per core)", TrainSettings.DefaultThreads),
        };
        var command = new Command("sentinel", "Train sentinel CLIP checkpoints on the window of recent pairs a service keeps, and publish them for hot swap");
        Option[] options = [o.Dir, o.Every, o.MinPairs, o.Poll, o.Once, o.TrainOnSeed, o.Labels, o.Epochs, o.Batch, .. model.All, o.Lr, o.Seed, o.Threads];
        foreach (Option option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(p =>
        {
            double poll = p.GetValue(o.Poll);
            var settings = new SentinelSettings(p.GetValue(o.Dir)!)
            {
                Every = p.GetValue(o.Every),
                MinimumPairs = p.GetValue(o.MinPairs),
                Poll = double.IsFinite(poll) && poll > 0 && poll < 86_400 ? TimeSpan.FromSeconds(poll) : TimeSpan.Zero,
                Once = p.GetValue(o.Once),
                TrainOnSeed = p.GetValue(o.TrainOnSeed),
                Labels = p.GetValue(o.Labels),
                Epochs = p.GetValue(o.Epochs),
                Batch = p.GetValue(o.Batch),
                LearningRate = p.GetValue(o.Lr),
                Seed = p.GetValue(o.Seed),
                Threads = p.GetValue(o.Threads),
                Model = model.Read(p),
            };
            return SentinelRunner.Run(settings, Console.Out, Console.Error);
        });
        return command;
    }
}
