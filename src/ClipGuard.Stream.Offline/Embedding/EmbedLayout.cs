using System.Globalization;

namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>
/// clip-retrieval's output layout: img_emb/img_emb_{i}.npy, text_emb/text_emb_{i}.npy and metadata/metadata_{i}.parquet
/// per input shard i, plus our stats/stats_{i}.json (skip counts; written last, so its presence marks a finished
/// shard) and embed_manifest.json (the model and options every shard was made with).
/// </summary>
public sealed class EmbedLayout(string root)
{
    public string Root { get; } = root;

    public string Manifest => Path.Combine(Root, "embed_manifest.json");

    public string ImageEmbeddings(int i) => Path.Combine(Root, "img_emb", Name("img_emb", i, "npy"));

    public string TextEmbeddings(int i) => Path.Combine(Root, "text_emb", Name("text_emb", i, "npy"));

    public string Metadata(int i) => Path.Combine(Root, "metadata", Name("metadata", i, "parquet"));

    public string Stats(int i) => Path.Combine(Root, "stats", Name("stats", i, "json"));

    public void CreateFolders()
    {
        foreach (var dir in new[] { "img_emb", "text_emb", "metadata", "stats" })
        {
            Directory.CreateDirectory(Path.Combine(Root, dir));
        }
    }

    private static string Name(string stem, int i, string ext) => string.Create(CultureInfo.InvariantCulture, $"{stem}_{i}.{ext}");
}
