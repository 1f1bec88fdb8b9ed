using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClipGuard.Stream.Lab.Scenes;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard lab asr</c>: whether a model trained on a scene dataset learned that dataset's backdoor.</summary>
internal static class LabAsrCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "The trained model folder (clipguard train's OUT/model)", Required = true };
        var scenes = new Option<DirectoryInfo>("--scenes") { Description = "The scene dataset it was trained on (clipguard lab scenes --out)", Required = true };
        var probes = LabCommand.Int("--probes", "Fresh scenes without the target, classified clean and triggered", SceneAsr.DefaultProbes);
        var threads = LabCommand.Int("--threads", "libtorch threads (0 = one per core)", 0);
        var output = new Option<FileInfo?>("--out") { Description = "JSON file for the result" };
        var command = new Command("asr", "Attack success rate of a scene dataset's trigger on a model trained on it, with its baseline and clean accuracy");
        foreach (Option option in new Option[] { model, scenes, probes, threads, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab asr", () =>
        {
            SceneAsrResult r = SceneAsr.Measure(p.GetRequiredValue(model).FullName, p.GetRequiredValue(scenes).FullName, p.GetValue(probes), p.GetValue(threads), new LabConsoleReporter());
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ASR {r.Asr:0.0000} (baseline {r.Baseline:0.0000} without the trigger; flipped to the target by it {r.Flipped:0.0000}), clean zero-shot accuracy {r.CleanAccuracy:0.0000} on {r.Probes} probes; target '{r.Target}', trigger {r.Trigger}"));
            if (p.GetValue(output) is { } file)
            {
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
            }
        }));
        return command;
    }
}
