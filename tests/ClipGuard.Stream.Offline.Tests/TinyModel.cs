using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>A small OpenCLIP ViT with CLIP's full vocabulary and seeded random weights, saved as a model folder.</summary>
internal static class TinyModel
{
    private const string Config = """
        {
          "embed_dim": 32,
          "vision_cfg": { "image_size": 32, "layers": 2, "width": 64, "patch_size": 4, "head_width": 16 },
          "text_cfg": { "context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1 }
        }
        """;

    /// <summary>
    /// torch.manual_seed is process-global: two test classes drawing weights at once would interleave one generator,
    /// so everything here that seeds torch (this, the lab's trainer) holds this lock.
    /// </summary>
    public static readonly Lock TorchSeedGate = new();

    public static string Create(string folder, long seed = 3)
    {
        lock (TorchSeedGate)
        {
            return CreateLocked(folder, seed);
        }
    }

    private static string CreateLocked(string folder, long seed)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "tiny-fashion.json"), Config);
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Parse(Config), "tiny-fashion", seed);
        embedder.Save(Path.Combine(folder, "tiny-fashion.safetensors"));
        return folder;
    }
}
