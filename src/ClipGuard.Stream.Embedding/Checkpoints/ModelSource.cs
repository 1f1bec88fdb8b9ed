namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>Where a model lives: a weights file plus its OpenCLIP config JSON, given as a pair or as one directory.</summary>
public sealed record ModelSource(string WeightsPath, string ConfigPath)
{
    private static readonly string[] WeightExtensions = [".safetensors", ".pt", ".pth", ".bin"];

    /// <summary>
    /// A directory must hold exactly one weights file and exactly one JSON config (OpenCLIP's hub layout
    /// <c>open_clip_model.safetensors</c> + <c>open_clip_config.json</c> qualifies); a guess between two would
    /// risk embedding with the wrong checkpoint.
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
        if (weights.Length != 1)
        {
            throw new CheckpointException($"{directory}: expected exactly one weights file (.safetensors/.pt/.pth/.bin), found {weights.Length}: {string.Join(", ", weights.Select(Path.GetFileName))}");
        }

        if (configs.Length != 1)
        {
            throw new CheckpointException($"{directory}: expected exactly one model config .json, found {configs.Length}: {string.Join(", ", configs.Select(Path.GetFileName))}");
        }

        return new ModelSource(weights[0], configs[0]);
    }

    /// <summary>A directory, or a weights file with the config next to it given explicitly.</summary>
    public static ModelSource Resolve(string path, string? configPath = null) =>
        Directory.Exists(path) && configPath is null ? FromDirectory(path) : new ModelSource(path, configPath ?? throw new CheckpointException($"{path}: a weights file needs its config JSON"));
}
