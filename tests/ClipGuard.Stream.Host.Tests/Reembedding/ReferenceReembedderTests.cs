using System.Globalization;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Host.Reembedding;

namespace ClipGuard.Stream.Host.Tests.Reembedding;

public sealed class ReferenceReembedderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-reembed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ACheckpointChangeMovesEveryStoredMemberIntoTheNewSpaceAndDropsTheRest()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var store = new ReferenceImageStore(Path.Combine(_dir, "images"));
        byte[][] images = [.. Enumerable.Range(0, 30).Select(i => SyntheticImages.Jpeg(40 + i, 36, seed: i))];
        string Id(int i) => "sample-" + i.ToString(CultureInfo.InvariantCulture);

        // The reference as the stream built it under the old checkpoint: 26 members, 4 waiting in the hold-back.
        using ClipEmbedder old = ClipEmbedder.CreateRandom(Config(TinyClipConfigs.Old, "old.json"), "old", seed: 1);
        float[][] oldVectors = old.EncodeImages([.. images.Select(b => new ImagePreprocessor().Preprocess(b, old.ImageSize))]);
        var set = new ReferenceSet<float>(16, new ReferenceSetOptions { Capacity = 100, HoldBack = 4, K = 4, MaxSourceShare = 1, Threads = 1 });
        for (int i = 0; i < images.Length; i++)
        {
            set.OfferCleared(Id(i), "crawler", oldVectors[i]);
            if (i != 5)
            {
                store.Put(Id(i), images[i]); // sample 5 came as an embedding only: nothing to re-embed it from
            }
        }

        store.Put(Id(9), [0xFF, 0xD8, 0xFF, 0x00]); // a stored image the new model's decoder rejects
        store.Put("evicted-long-ago", images[0]);
        Assert.Equal(1, store.Prune([.. set.MemberIds, .. set.ExportState().HoldBack.Select(p => p.Id)]));
        Assert.False(store.Contains("evicted-long-ago"));

        using ClipEmbedder fresh = ClipEmbedder.CreateRandom(Config(TinyClipConfigs.New, "new.json"), "new", seed: 2);
        float[][] expected = fresh.EncodeImages([.. images.Select(b => new ImagePreprocessor().Preprocess(b, fresh.ImageSize))]);
        await using var pipeline = new ImageEmbeddingPipeline(fresh, new ImageEmbeddingOptions { MaxBatch = 8, DecodeWorkers = 2 });
        ReembedReport report = await ReferenceReembedder.ReembedAsync(set.ExportState(), store, pipeline, fresh.EmbedDim, cancellationToken: cancel);

        Assert.Equal(28, report.Embedded);
        Assert.Equal(1, report.WithoutImage);
        Assert.StartsWith("image_", Assert.Single(report.Rejected, r => r.Key == Id(9)).Value, StringComparison.Ordinal);
        Assert.Equal([Id(5), Id(9)], report.Result.Dropped);

        var moved = ReferenceSet<float>.Restore(report.Result.State);
        Assert.Equal(12, moved.Model.Dimension);
        Assert.Equal(24, moved.Count);
        Assert.Equal(4, moved.WaitingInHoldBack);
        Assert.Equal(set.Version + 1, moved.Version);
        Assert.Equal("new@random-2", moved.ModelVersion);
        ReferenceSetState<float> state = moved.ExportState();
        foreach (ReferenceMemberState m in state.Members)
        {
            int i = int.Parse(m.Id["sample-".Length..], CultureInfo.InvariantCulture);
            float[] got = state.Points.RowReadOnly(m.Point).ToArray();
            Assert.All(expected[i].Zip(got), p => Assert.Equal(p.First, p.Second, 1e-5f));
        }

        Assert.True(moved.Model.MeasureDrift().IsExact(1e-9));
    }

    [Fact]
    public void TheStoreRoundTripsAnyIdAndForgetsRemovedOnes()
    {
        var store = new ReferenceImageStore(Path.Combine(_dir, "s"));
        string odd = "../weird id/ü\u0000?*";
        store.Put(odd, [1, 2, 3]);
        store.Put("b", [4]);
        store.Put("b", [5, 6]);
        Assert.Equal([1, 2, 3], store.Read(odd));
        Assert.Equal([5, 6], store.Read("b"));
        Assert.Equal(2, store.Count);
        Assert.Equal(5, store.Bytes);
        Assert.True(store.Remove(odd));
        Assert.False(store.Remove(odd));
        Assert.Null(store.Read(odd));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void PruningSparesImagesYoungerThanTheGracePeriod()
    {
        var store = new ReferenceImageStore(Path.Combine(_dir, "g"));
        store.Put("member", [1]);
        store.Put("gone", [2]);
        store.Put("just-cleared-elsewhere", [3]);
        foreach (string id in new[] { "member", "gone" })
        {
            string file = Directory.EnumerateFiles(store.Directory).Single(f => File.ReadAllBytes(f).SequenceEqual(store.Read(id)!));
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        }

        Assert.Equal(1, store.Prune(["member"], writtenBefore: DateTime.UtcNow.AddMinutes(-10)));
        Assert.Null(store.Read("gone"));
        Assert.NotNull(store.Read("member"));
        Assert.NotNull(store.Read("just-cleared-elsewhere"));
    }

    private ClipModelConfig Config(string json, string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return ClipModelConfig.Load(path);
    }
}
