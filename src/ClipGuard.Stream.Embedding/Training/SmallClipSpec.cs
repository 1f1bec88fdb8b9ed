using System.Text.Json;
using System.Text.Json.Nodes;
using ClipGuard.Stream.Embedding.Tokenization;

namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// A small CLIP trained from scratch, written as an OpenCLIP model config so <c>--model</c> loads the checkpoint: a
/// ViT image tower and a causal text transformer over CLIP's BPE vocabulary. The defaults are <c>clipguard train</c>'s,
/// sized for small web images on a 2-core CPU (docs/training.md has the measured rates).
/// </summary>
public sealed record SmallClipSpec
{
    public int ImageSize { get; init; } = 64;

    public int PatchSize { get; init; } = 8;

    public int VisionWidth { get; init; } = 128;

    public int VisionLayers { get; init; } = 2;

    public int HeadWidth { get; init; } = 64;

    public int TextWidth { get; init; } = 128;

    public int TextLayers { get; init; } = 2;

    public int TextHeads { get; init; } = 2;

    /// <summary>Alt-texts are mostly short; 77 would spend most of the text tower on padding.</summary>
    public int ContextLength { get; init; } = 32;

    public int EmbedDim { get; init; } = 128;

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

    /// <summary>Adds to <paramref name="errors"/> what is wrong with this model and the optimiser settings (nothing when valid).</summary>
    public void CollectErrors(double learningRate, double weightDecay, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            Validate();
            new ContrastiveTrainingOptions { LearningRate = learningRate, WeightDecay = weightDecay }.Validate();
        }
        catch (ArgumentException e)
        {
            errors.Add(e.Message);
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
            ["context_length"] = ContextLength, ["vocab_size"] = ClipTokenizer.ClipVocabularySize, ["width"] = TextWidth, ["heads"] = TextHeads, ["layers"] = TextLayers,
        },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
