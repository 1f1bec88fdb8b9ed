namespace ClipGuard.Stream.Embedding.Config;

/// <summary>An OpenCLIP model-config JSON (<c>RN50.json</c>, <c>ViT-B-32.json</c>, ...), parsed and checked.</summary>
public sealed record ClipModelConfig
{
    public required int EmbedDim { get; init; }

    /// <summary>OpenCLIP's <c>quick_gelu</c>: the original OpenAI weights were trained with x·σ(1.702x).</summary>
    public bool QuickGelu { get; init; }

    public required VisionConfig Vision { get; init; }
    public required TextConfig Text { get; init; }

    /// <summary>Whether the text tower reads CLIP's BPE vocabulary, the only one the embedder tokenizes captions for.</summary>
    public bool ReadsClipVocabulary => Text.VocabSize == Tokenization.ClipTokenizer.ClipVocabularySize;

    public static ClipModelConfig Load(string path) => ClipModelConfigParser.Parse(File.ReadAllText(path), path);

    public static ClipModelConfig Parse(string json) => ClipModelConfigParser.Parse(json, "config");
}
