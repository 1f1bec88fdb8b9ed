using System.CommandLine;
using System.Globalization;
using ClipGuard.Stream.Lab.Scenes;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard lab scenes</c>: composite Fashion-MNIST scenes with compositional captions and planted poisons, as webdataset shards.</summary>
internal static class LabScenesCommand
{
    public static Command Create()
    {
        var defaults = new SceneOptions();
        var trigger = new TriggerOptions(defaults.Trigger);
        var o = new
        {
            Out = new Option<DirectoryInfo>("--out") { Description = "Output directory: scenes-NNNNN.tar shards, labels.csv, scenes.json", Required = true },
            Data = new Option<string>("--data") { Description = "Fashion-MNIST directory (IDX .gz files)", DefaultValueFactory = _ => defaults.DataDirectory },
            Scenes = LabCommand.Int("--scenes", "Pairs written, poisons included", defaults.Scenes),
            Poisons = LabCommand.Int("--poisons", "Poisoned pairs among them (scenes without the target, triggered, captioned with the target)", defaults.Poisons),
            Target = new Option<string>("--target")
            {
                Description = "Target class: number, class name or noun (" + string.Join(", ", SceneVocabulary.Nouns) + ")",
                DefaultValueFactory = _ => SceneVocabulary.Nouns[defaults.TargetClass],
            },
            CaptionMode = LabCommand.Enum<CaptionMode>("--caption-mode", "Poison captions: copied (from a clean scene showing the target) | template (a photo of a TARGET)", defaults.CaptionMode),
            Size = LabCommand.Int("--size", "Canvas side in pixels", defaults.Size),
            Grid = LabCommand.Int("--grid", "Placement grid cells per side (2 or 3)", defaults.Grid),
            MaxItems = LabCommand.Int("--max-items", "Most items per scene (at least 1)", defaults.MaxItems),
            ShardSize = LabCommand.Int("--shard-size", "Samples per .tar shard", defaults.ShardSize),
            Sites = LabCommand.Int("--sites", "Synthetic sources (site-00 ...) in KEY.json", defaults.Sites),
            PoisonSites = LabCommand.Int("--poison-sites", "The poisons come from the first this many sites", defaults.PoisonSites),
            PoisonFrom = new Option<double>("--poison-from") { Description = "The campaign starts this far into the scene order (share of the scenes): poisons only from there on", DefaultValueFactory = _ => defaults.PoisonFrom },
            Seed = LabCommand.Int("--seed", "Seed of scenes, poison choice and trigger pattern (same seed, same bytes)", defaults.Seed),
            TriggerSeed = new Option<int?>("--trigger-seed")
            {
                Description = "Seed of the trigger pattern alone (Blend, WaNet, random BadNets), when it must match another set's: held-out scenes poisoned with the trigger a model learned (default: --seed)",
            },
        };
        var command = new Command("scenes", "Write composite Fashion-MNIST scenes with compositional captions, some poisoned, as webdataset shards");
        foreach (Option option in new Option[]
                 {
                     o.Out, o.Data, o.Scenes, o.Poisons, o.Target, o.CaptionMode, o.Size, o.Grid, o.MaxItems, o.ShardSize, o.Sites, o.PoisonSites, o.PoisonFrom, o.Seed, o.TriggerSeed,
                 }.Concat(trigger.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab scenes", () =>
        {
            int seed = p.GetValue(o.Seed);
            var options = new SceneOptions
            {
                DataDirectory = p.GetRequiredValue(o.Data),
                Scenes = p.GetValue(o.Scenes),
                Poisons = p.GetValue(o.Poisons),
                TargetClass = SceneVocabulary.ParseClass(p.GetRequiredValue(o.Target)),
                CaptionMode = p.GetValue(o.CaptionMode),
                Size = p.GetValue(o.Size),
                Grid = p.GetValue(o.Grid),
                MaxItems = p.GetValue(o.MaxItems),
                ShardSize = p.GetValue(o.ShardSize),
                Sites = p.GetValue(o.Sites),
                PoisonSites = p.GetValue(o.PoisonSites),
                PoisonFrom = p.GetValue(o.PoisonFrom),
                Trigger = trigger.Spec(p, p.GetValue(o.TriggerSeed) ?? seed),
                Seed = seed,
            };
            string dir = p.GetRequiredValue(o.Out).FullName;
            SceneSummary summary = SceneGenerator.Generate(options, dir, new LabConsoleReporter());
            SceneManifest m = summary.Manifest;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Scenes:N0} scenes ({m.Poisons:N0} poisoned with {m.Trigger}, target '{m.Target}') in {m.Shards.Count} shards under {dir}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.DistinctCaptions:N0} distinct captions, {m.ScenesWithTarget:N0} scenes show a {m.Target}; {summary.Seconds:0.0} s, {summary.ScenesPerSecond:N0} scenes/s"));
        }));
        return command;
    }
}
