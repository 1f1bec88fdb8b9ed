using ClipGuard.Stream.Embedding.Training;

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
    public void Validate() => ToSpec().Validate();

    /// <summary>The OpenCLIP JSON (the keys open_clip's model configs use).</summary>
    public string ToOpenClipJson() => ToSpec().ToOpenClipJson();

    /// <summary>The same model in the shared spec <c>clipguard train</c> uses.</summary>
    public SmallClipSpec ToSpec() => new()
    {
        ImageSize = ImageSize, PatchSize = PatchSize, VisionWidth = VisionWidth, VisionLayers = VisionLayers, HeadWidth = HeadWidth,
        TextWidth = TextWidth, TextLayers = TextLayers, TextHeads = TextHeads, ContextLength = ContextLength, EmbedDim = EmbedDim,
    };
}
