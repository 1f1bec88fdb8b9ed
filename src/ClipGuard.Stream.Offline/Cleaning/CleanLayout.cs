using System.Globalization;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// The clean output folder: clean_config.json (what the scores mean), scores/scores_{i}.npy per embeddings shard
/// (float64, row order of metadata_{i}) with the fused p-values beside them (pvalues_{i}.npy) and each signal's own
/// (pdensity_{i}.npy, pagreement_{i}.npy: NaN where the agreement takes no part), and after the merge
/// scores.csv (id,score,p_value), remove.txt, summary.json,
/// summary.md and score_histogram.png.
/// </summary>
public sealed class CleanLayout(string root)
{
    public string Root { get; } = root;

    public string Config => Path.Combine(Root, "clean_config.json");

    public string Scores => Path.Combine(Root, "scores.csv");

    public string Removal => Path.Combine(Root, "remove.txt");

    public string SummaryJson => Path.Combine(Root, "summary.json");

    public string SummaryMarkdown => Path.Combine(Root, "summary.md");

    public string Histogram => Path.Combine(Root, "score_histogram.png");

    public string ShardScores(int i) => Path.Combine(Root, "scores", string.Create(CultureInfo.InvariantCulture, $"scores_{i}.npy"));

    public string ShardPValues(int i) => Path.Combine(Root, "scores", string.Create(CultureInfo.InvariantCulture, $"pvalues_{i}.npy"));

    public string ShardDensityP(int i) => Path.Combine(Root, "scores", string.Create(CultureInfo.InvariantCulture, $"pdensity_{i}.npy"));

    public string ShardAgreementP(int i) => Path.Combine(Root, "scores", string.Create(CultureInfo.InvariantCulture, $"pagreement_{i}.npy"));

    public void CreateFolders() => Directory.CreateDirectory(Path.Combine(Root, "scores"));
}
