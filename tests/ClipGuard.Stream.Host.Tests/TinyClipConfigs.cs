namespace ClipGuard.Stream.Host.Tests.Reembedding;

/// <summary>Two tiny OpenCLIP ViT configs of different widths, patch sizes and dimensions: a change of model is a change of space.</summary>
internal static class TwoCheckpoints
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
