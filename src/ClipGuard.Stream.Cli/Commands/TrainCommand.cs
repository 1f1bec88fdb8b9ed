using System.CommandLine;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard train</c>: a small CLIP trained on any img2dataset folder (docs/training.md).</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new SmallClipOptions();
        var o = new
        {
            Input = new Option<string>("--input") { Description = "img2dataset output: a folder of NNNNN.tar or NNNNN/ shards, or one .tar", Required = true },
            Out = new Option<string>("--out") { Description = "Run folder: model/ (OpenCLIP checkpoint for --model), train.json, checkpoint/ (resume)", Required = true },
            Labels = new Option<string?>("--labels") { Description = "Optional CSV with columns key,poisoned (0/1): poisons' alignment reported apart" },
            Epochs = LabCommand.Int("--epochs", "Training epochs (a rerun with more resumes and extends)", TrainSettings.DefaultEpochs),
            Batch = LabCommand.Int("--batch", "Pairs per step", TrainSettings.DefaultBatch),
            Lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate (warm-up then cosine)", DefaultValueFactory = _ => TrainSettings.DefaultLearningRate },
            Seed = LabCommand.Int("--seed", "Seed of initialisation and shuffling", 1),
            Threads = LabCommand.Int("--threads", "libtorch threads (0 = one per core)", TrainSettings.DefaultThreads),
            Workers = LabCommand.Int("--decode-workers", "Parallel image decoders while loading (0 = one per core)", 0),
            KeepEpochs = new Option<bool>("--keep-epochs") { Description = "Also keep the model after every epoch in OUT/epochs/epoch-NNNN/ (loadable by --model), e.g. to measure lab asr per epoch" },
        };
        var command = new Command("train", "Train a small CLIP on an img2dataset folder (files or webdataset); checkpoints every epoch, resumes when rerun");
        Option[] options = [o.Input, o.Out, o.Labels, o.Epochs, o.Batch, .. model.All, o.Lr, o.Seed, o.Threads, o.Workers, o.KeepEpochs];
        foreach (Option option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(p =>
        {
            var settings = new TrainSettings(p.GetValue(o.Input)!, p.GetValue(o.Out)!)
            {
                Labels = p.GetValue(o.Labels),
                Epochs = p.GetValue(o.Epochs),
                Batch = p.GetValue(o.Batch),
                LearningRate = p.GetValue(o.Lr),
                Seed = p.GetValue(o.Seed),
                Threads = p.GetValue(o.Threads),
                DecodeWorkers = p.GetValue(o.Workers),
                KeepEpochs = p.GetValue(o.KeepEpochs),
                Model = model.Read(p),
            };
            return TrainRunner.Run(settings, Console.Out, Console.Error);
        });
        return command;
    }
}
