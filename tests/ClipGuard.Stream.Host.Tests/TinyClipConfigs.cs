namespace ClipGuard.Stream.Host.Tests;

/// <summary>
/// Tiny OpenCLIP ViT configs for service tests: <see cref="Old"/> is the stream tests' model; <see cref="New"/> differs
/// in width, patch size and dimension, so switching to it is a change of embedding space.
/// </summary>
internal static class TinyClipConfigs
{
    public const string Old = """
        { "embed_dim": 16, "vision_cfg": { "image_size": 32, "layers": 2, "width": 32, "patch_size": 8, "head_width": 8 },
          "text_cfg": { "context_length": 16, "vocab_size": 512, "width": 32, "heads": 4, "layers": 2 } }
        """;

    public const string New = """
        { "embed_dim": 12, "vision_cfg": { "image_size": 32, "layers": 2, "width": 48, "patch_size": 16, "head_width": 16 },
          "text_cfg": { "context_length": 16, "vocab_size": 512, "width": 32, "heads": 4, "layers": 2 } }
        """;
}
