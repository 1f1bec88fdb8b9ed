namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>Where a model lives: a weights file plus its OpenCLIP config JSON, given as a pair or as one directory.</summary>
/// <param name="PassedOver">Other weights files of the same directory that were not chosen (see <see cref="FromDirectory"/>).</param>
public sealed record ModelSource(string WeightsPath, string ConfigPath, IReadOnlyList<string>? PassedOver = null)
{
    private static readonly string[] WeightExtensions = [".safetensors", ".pt", ".pth", ".bin"];

    /// <summary>
    /// A directory holds one JSON config and either one weights file or, as an OpenCLIP hub snapshot does
    /// (<c>open_clip_model.safetensors</c> beside <c>open_clip_pytorch_model.bin</c>), exactly one
    /// <c>.safetensors</c> file among several: that one is loaded, as open_clip itself prefers it. Any other mix
    /// (two safetensors, or several pickles and no safetensors) is refused: a guess would risk embedding with the
    /// wrong checkpoint.
    /// </summary>
    public static ModelSource FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new CheckpointException($"{directory}: model directory does not exist");
        }

        var weights = Directory.EnumerateFiles(directory)
            .Where(f => WeightExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray();
        var configs = Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).ToArray();
        var safetensors = weights.Where(f => Path.GetExtension(f).Equals(".safetensors", StringComparison.OrdinalIgnoreCase)).ToArray();
        string chosen = weights.Length == 1 ? weights[0]
            : weights.Length > 1 && safetensors.Length == 1 ? safetensors[0]
            : throw new CheckpointException(
                $"{directory}: expected one weights file (.safetensors/.pt/.pth/.bin), or exactly one .safetensors among several; found {weights.Length}: {string.Join(", ", weights.Select(Path.GetFileName))}");

        if (configs.Length != 1)
        {
            throw new CheckpointException($"{directory}: expected exactly one model config .json, found {configs.Length}: {string.Join(", ", configs.Select(Path.GetFileName))}");
        }

        return new ModelSource(chosen, configs[0], weights.Where(w => w != chosen).ToArray());
    }

    /// <summary>A directory, or a weights file with the config next to it given explicitly.</summary>
    public static ModelSource Resolve(string path, string? configPath = null) =>
        Directory.Exists(path) && configPath is null ? FromDirectory(path) : new ModelSource(path, configPath ?? throw new CheckpointException($"{path}: a weights file needs its config JSON"));

    /// <summary>One line for logs and command output: the file that was loaded, and what it was preferred over.</summary>
    public string Describe() =>
        PassedOver is { Count: > 0 } other
            ? $"{WeightsPath} (preferred over {string.Join(", ", other.Select(Path.GetFileName))})"
            : WeightsPath;
}
