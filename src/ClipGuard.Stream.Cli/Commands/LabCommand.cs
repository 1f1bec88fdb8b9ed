using System.CommandLine;
using System.Text.Json;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Lab.Triggers;
using ClipGuard.Stream.Offline;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// <c>clipguard lab train|eval|report|scenes</c>: the poisoning lab (docs/poisoning-lab.md). Train a small CLIP on Fashion-MNIST
/// with a fraction of poisoned pairs; evaluate the detectors on its embeddings in batch and through the stream.
/// </summary>
internal static class LabCommand
{
    public static Command Create()
    {
        var lab = new Command("lab", "Poisoning lab: backdoor a small CLIP on Fashion-MNIST, then measure the detectors");
        lab.Subcommands.Add(Train());
        lab.Subcommands.Add(LabEvalCommand.Create());
        lab.Subcommands.Add(LabEvalCommand.Report());
        lab.Subcommands.Add(LabScenesCommand.Create());
        lab.Subcommands.Add(LabAsrCommand.Create());
        lab.Subcommands.Add(LabProtocolCommand.Create());
        lab.Subcommands.Add(LabEpochsCommand.Create());
        lab.Subcommands.Add(LabCountsCommand.Create());
        lab.Subcommands.Add(LabReplayCommand.Create());
        lab.Subcommands.Add(LabSentinelCommand.Create());
        lab.Subcommands.Add(LabBudgetCommand.Create());
        return lab;
    }

    private static Command Train()
    {
        var defaults = new LabTrainOptions();
        var model = new LabModelSpec();
        var trigger = new TriggerOptions(new TriggerSpec());
        var o = new
        {
            Out = new Option<DirectoryInfo>("--out") { Description = "Run directory: model/ (OpenCLIP checkpoint) and lab-run.json", Required = true },
            Data = new Option<string>("--data") { Description = "Fashion-MNIST directory (IDX .gz files)", DefaultValueFactory = _ => defaults.DataDirectory },
            Rate = new Option<double>("--rate") { Description = "Poisoned fraction of the training pairs", DefaultValueFactory = _ => defaults.Rate },
            Target = Int("--target", "Target class number (0 t-shirt ... 9 ankle boot)", defaults.TargetClass),
            Seed = Int("--seed", "Seed of subset, poison choice, trigger pattern, initialisation and shuffling", defaults.Seed),
            Epochs = Int("--epochs", "Training epochs", defaults.Epochs),
            Batch = Int("--batch", "Pairs per step", defaults.BatchSize),
            TrainSubset = Int("--train-subset", "Training images drawn from the 60,000 (0 = all)", defaults.TrainSubset),
            TestSubset = Int("--test-subset", "Test images for accuracy and ASR (0 = all 10,000)", defaults.TestSubset),
            Lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate", DefaultValueFactory = _ => defaults.LearningRate },
            ImageSize = Int("--image-size", "Model input size (the 28 px images are resized to it)", model.ImageSize),
            Patch = Int("--vit-patch", "ViT patch size", model.PatchSize),
            Width = Int("--vit-width", "ViT width", model.VisionWidth),
            Layers = Int("--vit-layers", "ViT layers", model.VisionLayers),
            TextWidth = Int("--text-width", "Text transformer width", model.TextWidth),
            TextLayers = Int("--text-layers", "Text transformer layers", model.TextLayers),
            EmbedDim = Int("--embed-dim", "Joint embedding dimension", model.EmbedDim),
            Threads = Int("--threads", "libtorch threads (0 = one per core)", defaults.Threads),
        };
        var command = new Command("train", "Build poisoned Fashion-MNIST pairs, train a small CLIP, save an OpenCLIP checkpoint, report accuracy and ASR");
        foreach (Option option in new Option[]
                 {
                     o.Out, o.Data, o.Rate, o.Target, o.Seed, o.Epochs, o.Batch,
                     o.TrainSubset, o.TestSubset, o.Lr, o.ImageSize, o.Patch, o.Width, o.Layers, o.TextWidth, o.TextLayers, o.EmbedDim, o.Threads,
                 }.Concat(trigger.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(p =>
        {
            int seed = p.GetValue(o.Seed);
            var options = new LabTrainOptions
            {
                DataDirectory = p.GetRequiredValue(o.Data),
                Trigger = trigger.Spec(p, seed),
                Rate = p.GetValue(o.Rate),
                TargetClass = p.GetValue(o.Target),
                Seed = seed,
                Epochs = p.GetValue(o.Epochs),
                BatchSize = p.GetValue(o.Batch),
                TrainSubset = p.GetValue(o.TrainSubset),
                TestSubset = p.GetValue(o.TestSubset),
                LearningRate = p.GetValue(o.Lr),
                Threads = p.GetValue(o.Threads),
                Model = new LabModelSpec
                {
                    ImageSize = p.GetValue(o.ImageSize), PatchSize = p.GetValue(o.Patch), VisionWidth = p.GetValue(o.Width),
                    VisionLayers = p.GetValue(o.Layers), TextWidth = p.GetValue(o.TextWidth), TextLayers = p.GetValue(o.TextLayers),
                    EmbedDim = p.GetValue(o.EmbedDim),
                },
            };
            return Guarded("lab train", () =>
            {
                options.Validate();
                LabTrainer.Train(options, p.GetRequiredValue(o.Out).FullName, new LabConsoleReporter());
            });
        });
        return command;
    }

    /// <summary>Bad input (options, missing dataset, unreadable files) is one line on stderr and exit code 2.</summary>
    internal static int Guarded(string verb, Action work)
    {
        try
        {
            work();
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or CheckpointException or ModelConfigException or OfflineInputException)
        {
            Console.Error.WriteLine($"{verb}: {e.Message}");
            return 2;
        }
    }

    /// <summary>A lab summary's table: <paramref name="file"/>, its points beside it as .json, the table on stdout.</summary>
    internal static void WriteTable<T>(FileInfo file, string markdown, T points)
    {
        File.WriteAllText(file.FullName, markdown);
        File.WriteAllText(Path.ChangeExtension(file.FullName, ".json"), JsonSerializer.Serialize(points, new JsonSerializerOptions { WriteIndented = true }));
        Console.Out.Write(markdown);
    }

    internal static Option<int> Int(string name, string description, int value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    internal static Option<T> Enum<T>(string name, string description, T value)
        where T : struct, System.Enum =>
        new(name) { Description = description, DefaultValueFactory = _ => value, CustomParser = r => CommonOptions.ParseEnum<T>(r.Tokens[0].Value, r) };
}
