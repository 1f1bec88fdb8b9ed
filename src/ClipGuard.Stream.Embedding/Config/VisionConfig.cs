namespace ClipGuard.Stream.Embedding.Config;

/// <summary>OpenCLIP's <c>vision_cfg</c>: a ModifiedResNet when <see cref="ResNetLayers"/> is set, else a ViT.</summary>
public sealed record VisionConfig
{
    public required int ImageSize { get; init; }

    /// <summary>Blocks per ResNet stage (OpenCLIP's list-valued <c>layers</c>); null for a ViT.</summary>
    public IReadOnlyList<int>? ResNetLayers { get; init; }

    /// <summary>Transformer depth for a ViT (OpenCLIP's int-valued <c>layers</c>).</summary>
    public int Layers { get; init; }

    public required int Width { get; init; }
    public int? PatchSize { get; init; }
    public int HeadWidth { get; init; } = 64;
    public double MlpRatio { get; init; } = 4.0;

    public bool IsResNet => ResNetLayers is not null;
}
