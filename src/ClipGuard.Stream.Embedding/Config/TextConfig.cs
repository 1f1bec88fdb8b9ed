namespace ClipGuard.Stream.Embedding.Config;

/// <summary>OpenCLIP's <c>text_cfg</c> for the built-in causal text transformer.</summary>
public sealed record TextConfig
{
    public int ContextLength { get; init; } = 77;
    public int VocabSize { get; init; } = 49408;
    public int Width { get; init; } = 512;
    public int Heads { get; init; } = 8;
    public int Layers { get; init; } = 12;
    public double MlpRatio { get; init; } = 4.0;
}
