using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Embedding;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>--shard i/n parts plus the merge give the unsharded result byte for byte; finished work is not redone.</summary>
[Collection(InProcessTorch.Name)]
public sealed class ShardAndResumeTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _model;

    public ShardAndResumeTests()
    {
        _model = TinyModel.Create(_temp.Sub("model"));
        DatasetWriter.WriteTar(_temp.Sub("wds"), PoisonedFashion.Create(150, 4), 40);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Sharded_embed_and_clean_then_merge_equal_the_unsharded_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await EmbedEngine.RunAsync(Embed("emb-all"), cancellationToken: ct);
        var part0 = await EmbedEngine.RunAsync(Embed("emb-parts") with { Shard = new ShardSelection(0, 2) }, cancellationToken: ct);
        var part1 = await EmbedEngine.RunAsync(Embed("emb-parts") with { Shard = new ShardSelection(1, 2) }, cancellationToken: ct);
        Assert.Equal((2, 2), (part0.ShardsEmbedded, part1.ShardsEmbedded));
        AssertSameFiles(_temp.Sub("emb-all"), _temp.Sub("emb-parts"), "img_emb", "text_emb", "metadata", "stats");

        CleanEngine.Run(Clean("emb-all", "clean-all"), cancellationToken: ct);
        var a = CleanEngine.Run(Clean("emb-parts", "clean-parts") with { Shard = new ShardSelection(1, 2) }, cancellationToken: ct);
        Assert.Null(a.Summary);
        Assert.Throws<OfflineInputException>(() => CleanMerger.Merge(Clean("emb-parts", "clean-parts")));
        CleanEngine.Run(Clean("emb-parts", "clean-parts") with { Shard = new ShardSelection(0, 2) }, cancellationToken: ct);
        // The same folder spelled with a trailing separator is the same folder.
        CleanMerger.Merge(Clean("emb-parts", "clean-parts") with { Embeddings = _temp.Sub("emb-parts") + Path.DirectorySeparatorChar });
        AssertSameFiles(_temp.Sub("clean-all"), _temp.Sub("clean-parts"), "scores");
        foreach (var file in new[] { "scores.csv", "remove.txt", "summary.md" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(_temp.Sub("clean-all"), file)), File.ReadAllText(Path.Combine(_temp.Sub("clean-parts"), file)).Replace("emb-parts", "emb-all", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_rerun_skips_finished_shards_and_redoes_only_what_is_missing()
    {
        var ct = TestContext.Current.CancellationToken;
        await EmbedEngine.RunAsync(Embed("emb"), cancellationToken: ct);
        byte[] before = File.ReadAllBytes(Path.Combine(_temp.Sub("emb"), "img_emb", "img_emb_2.npy"));
        File.Delete(Path.Combine(_temp.Sub("emb"), "stats", "stats_2.json"));
        var again = await EmbedEngine.RunAsync(Embed("emb"), cancellationToken: ct);
        Assert.Equal((1, 3), (again.ShardsEmbedded, again.ShardsAlreadyDone));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_temp.Sub("emb"), "img_emb", "img_emb_2.npy")));

        CleanEngine.Run(Clean("emb", "clean"), cancellationToken: ct);
        string scores = File.ReadAllText(Path.Combine(_temp.Sub("clean"), "scores.csv"));
        File.Delete(Path.Combine(_temp.Sub("clean"), "scores", "scores_1.npy"));
        var rerun = CleanEngine.Run(Clean("emb", "clean"), cancellationToken: ct);
        Assert.Equal((1, 3), (rerun.ShardsScored, rerun.ShardsAlreadyDone));
        Assert.Equal(scores, File.ReadAllText(Path.Combine(_temp.Sub("clean"), "scores.csv")));
    }

    [Fact]
    public async Task An_output_folder_of_another_run_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await EmbedEngine.RunAsync(Embed("emb"), cancellationToken: ct);
        var normalized = await Assert.ThrowsAsync<OfflineInputException>(() => EmbedEngine.RunAsync(Embed("emb") with { Normalize = true }, cancellationToken: ct));
        Assert.Contains("use a new --out", normalized.Message, StringComparison.Ordinal);

        CleanEngine.Run(Clean("emb", "clean"), cancellationToken: ct);
        var otherK = Assert.Throws<OfflineInputException>(() => CleanEngine.Run(Clean("emb", "clean") with { K = 8 }, cancellationToken: ct));
        Assert.Contains("another run", otherK.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clean_refuses_an_embeddings_folder_with_shards_missing()
    {
        var ct = TestContext.Current.CancellationToken;
        await EmbedEngine.RunAsync(Embed("emb") with { Shard = new ShardSelection(0, 2) }, cancellationToken: ct);
        var e = Assert.Throws<OfflineInputException>(() => CleanEngine.Run(Clean("emb", "clean"), cancellationToken: ct));
        Assert.Contains("2 of 4 shards are not embedded yet: 1 (00001), 3 (00003)", e.Message, StringComparison.Ordinal);
    }

    private EmbedSettings Embed(string output) => new(_model, null, _temp.Sub("wds"), _temp.Sub(output)) { Batch = 16 };

    private CleanSettings Clean(string embeddings, string output) => new(_temp.Sub(embeddings), _temp.Sub(output))
    {
        ReferenceSize = 100,
        Seed = 4,
        RemoveTopPercent = 3,
        BurstMin = 3,
    };

    private static void AssertSameFiles(string a, string b, params string[] folders)
    {
        foreach (string folder in folders)
        {
            var names = Directory.GetFiles(Path.Combine(a, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(names, Directory.GetFiles(Path.Combine(b, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
            foreach (string? name in names)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, folder, name!)), File.ReadAllBytes(Path.Combine(b, folder, name!)));
            }
        }
    }
}
