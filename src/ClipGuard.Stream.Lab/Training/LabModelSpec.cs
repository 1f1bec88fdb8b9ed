using System.Text.Json.Nodes;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>
/// The lab's small CLIP, written as an OpenCLIP model config so the stream loads the checkpoint with <c>--model</c>:
/// a ViT image tower on the (upsampled) Fashion-MNIST pixels and a causal text transformer over CLIP's BPE vocabulary.
/// </summary>
public sealed record LabModelSpec
{
    public int ImageSize { get; init; } = 28;

    /// <summary>7: a 4x4 grid of 7x7 patches. Patch 4 (49 tokens), width 96, 3 layers trained at 141 pairs/s
    /// here against about 1,400/s for this default, on the shared 2-core machine.</summary>
    public int PatchSize { get; init; } = 7;

    public int VisionWidth { get; init; } = 64;

    public int VisionLayers { get; init; } = 2;

    public int HeadWidth { get; init; } = 32;

    public int TextWidth { get; init; } = 64;

    public int TextLayers { get; init; } = 2;

    public int TextHeads { get; init; } = 2;

    /// <summary>Captions here are at most a dozen tokens; 77 would spend most of the text tower on padding.</summary>
    public int ContextLength { get; init; } = 16;

    public int EmbedDim { get; init; } = 64;

    /// <summary>Checks the shapes OpenCLIP and our towers need; throws with every violation named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (ImageSize < 8 || PatchSize < 1 || ImageSize % PatchSize != 0)
        {
            errors.Add($"image size {ImageSize} must be at least 8 and a multiple of the patch size {PatchSize}");
        }

        if (VisionWidth < 8 || HeadWidth < 1 || VisionWidth % HeadWidth != 0)
        {
            errors.Add($"vision width {VisionWidth} must be a multiple of the head width {HeadWidth}");
        }

        if (TextWidth < 8 || TextHeads < 1 || TextWidth % TextHeads != 0)
        {
            errors.Add($"text width {TextWidth} must be a multiple of the text heads {TextHeads}");
        }

        if (VisionLayers < 1 || TextLayers < 1 || EmbedDim < 2)
        {
            errors.Add("layers must be at least 1 and the embedding dimension at least 2");
        }

        if (ContextLength is < 8 or > 77)
        {
            errors.Add($"context length {ContextLength} must be in 8..77");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }

    /// <summary>The OpenCLIP JSON (the keys open_clip's model configs use).</summary>
    public string ToOpenClipJson() => new JsonObject
    {
        ["embed_dim"] = EmbedDim,
        ["vision_cfg"] = new JsonObject
        {
            ["image_size"] = ImageSize, ["layers"] = VisionLayers, ["width"] = VisionWidth, ["patch_size"] = PatchSize, ["head_width"] = HeadWidth,
        },
        ["text_cfg"] = new JsonObject
        {
            ["context_length"] = ContextLength, ["vocab_size"] = 49408, ["width"] = TextWidth, ["heads"] = TextHeads, ["layers"] = TextLayers,
        },
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
