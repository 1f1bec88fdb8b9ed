using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class CheckpointRoundTripTests
{
    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    [InlineData("tiny-vit-quickgelu")]
    public void Safetensors_and_pytorch_files_reload_to_identical_embeddings(string name)
    {
        var configPath = TestPaths.Model(name);
        var config = ClipModelConfig.Load(configPath);
        using var original = ClipEmbedder.CreateRandom(config, name, seed: 7);
        TestInputs.RandomizeBatchNormStatistics(original.Module);
        var images = TestInputs.Images(3, config.Vision.ImageSize, seed: 1);
        var tokens = TestInputs.Tokens(3, config.Text.ContextLength, config.Text.VocabSize, seed: 2);
        var expectedImages = original.EncodeImages(images);
        var expectedTexts = original.EncodeTokens(tokens);

        var dir = TestPaths.TempDir();
        try
        {
            foreach (var file in new[] { "open_clip_model.safetensors", "epoch_1.pt" })
            {
                var modelDir = Path.Combine(dir, Path.GetExtension(file).TrimStart('.'));
                Directory.CreateDirectory(modelDir);
                original.Save(Path.Combine(modelDir, file));
                File.Copy(configPath, Path.Combine(modelDir, name + ".json"));

                using var fromDirectory = ClipEmbedder.Load(ModelSource.FromDirectory(modelDir));
                using var fromPair = ClipEmbedder.Load(new ModelSource(Path.Combine(modelDir, file), Path.Combine(modelDir, name + ".json")));
                foreach (var loaded in new[] { fromDirectory, fromPair })
                {
                    Assert.Equal(name, loaded.ModelId);
                    Assert.Equal(16, loaded.Version.Length);
                    AssertIdentical(expectedImages, loaded.EncodeImages(images));
                    AssertIdentical(expectedTexts, loaded.EncodeTokens(tokens));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_different_seed_gives_different_embeddings_so_the_round_trip_test_can_fail()
    {
        var config = ClipModelConfig.Load(TestPaths.Model("tiny-vit"));
        using var a = ClipEmbedder.CreateRandom(config, "a", seed: 7);
        using var b = ClipEmbedder.CreateRandom(config, "b", seed: 8);
        var images = TestInputs.Images(1, config.Vision.ImageSize, seed: 1);
        Assert.NotEqual(a.EncodeImages(images)[0], b.EncodeImages(images)[0]);
    }

    private static void AssertIdentical(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }
}
