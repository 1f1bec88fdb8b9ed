namespace ClipGuard.Stream.Embedding.Config;

/// <summary>The OpenCLIP configs shipped in Assets/configs (copied to every output that references this project).</summary>
public static class BuiltInConfigs
{
    public static IReadOnlyList<string> Names { get; } = ["RN50", "ViT-B-32", "ViT-B-16"];

    public static string PathOf(string name) =>
        Names.Contains(name, StringComparer.Ordinal)
            ? Path.Combine(AppContext.BaseDirectory, "Assets", "configs", name + ".json")
            : throw new ModelConfigException($"no built-in config '{name}' (have {string.Join(", ", Names)})");

    public static ClipModelConfig Load(string name) => ClipModelConfig.Load(PathOf(name));
}
