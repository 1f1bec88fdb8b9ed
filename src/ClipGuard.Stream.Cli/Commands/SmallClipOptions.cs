using System.CommandLine;
using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>The small CLIP's architecture options, shared by <c>train</c> and <c>sentinel</c>.</summary>
internal sealed class SmallClipOptions
{
    private static readonly SmallClipSpec Defaults = new();

    public Option<int> ImageSize { get; } = LabCommand.Int("--image-size", "Model input size (images are resized and centre-cropped to it)", Defaults.ImageSize);

    public Option<int> Patch { get; } = LabCommand.Int("--patch", "ViT patch size", Defaults.PatchSize);

    public Option<int> Width { get; } = LabCommand.Int("--width", "ViT width", Defaults.VisionWidth);

    public Option<int> Layers { get; } = LabCommand.Int("--layers", "ViT layers", Defaults.VisionLayers);

    public Option<int> TextWidth { get; } = LabCommand.Int("--text-width", "Text transformer width", Defaults.TextWidth);

    public Option<int> TextLayers { get; } = LabCommand.Int("--text-layers", "Text transformer layers", Defaults.TextLayers);

    public Option<int> Context { get; } = LabCommand.Int("--context", "Text context length in tokens (longer captions are cut)", Defaults.ContextLength);

    public Option<int> EmbedDim { get; } = LabCommand.Int("--embed-dim", "Joint embedding dimension", Defaults.EmbedDim);

    public IEnumerable<Option> All => [ImageSize, Patch, Width, Layers, TextWidth, TextLayers, Context, EmbedDim];

    public SmallClipSpec Read(ParseResult p)
    {
        int width = p.GetValue(Width);
        return Defaults with
        {
            ImageSize = p.GetValue(ImageSize), PatchSize = p.GetValue(Patch), VisionWidth = width, VisionLayers = p.GetValue(Layers),
            HeadWidth = width % Defaults.HeadWidth == 0 ? Defaults.HeadWidth : width, TextWidth = p.GetValue(TextWidth), TextLayers = p.GetValue(TextLayers),
            ContextLength = p.GetValue(Context), EmbedDim = p.GetValue(EmbedDim),
        };
    }
}
