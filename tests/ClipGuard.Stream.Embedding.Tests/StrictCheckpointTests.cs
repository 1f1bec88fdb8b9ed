using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class StrictCheckpointTests
{
    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pt")]
    public void Missing_key_fails_naming_it(string ext)
    {
        var e = LoadEdited(ext, sd => sd.Remove("visual.transformer.resblocks.1.mlp.c_fc.bias"));
        Assert.Contains("missing key 'visual.transformer.resblocks.1.mlp.c_fc.bias'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pt")]
    public void Unexpected_key_fails_naming_it(string ext)
    {
        var e = LoadEdited(ext, sd => sd["visual.attnpool.q_proj.weight"] = torch.zeros(4, 4));
        Assert.Contains("unexpected key 'visual.attnpool.q_proj.weight'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pt")]
    public void Misshaped_key_fails_naming_it_and_both_shapes(string ext)
    {
        var e = LoadEdited(ext, sd => sd["text_projection"] = torch.zeros(32, 8));
        Assert.Contains("key 'text_projection' has shape [32, 8], the model expects [32, 16]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.pt", "b.pt")]
    [InlineData("a.safetensors", "b.safetensors")]
    [InlineData("a.bin", "b.pth")]
    public void Directory_with_two_candidate_weight_files_is_refused_rather_than_guessed(string first, string second)
    {
        var dir = TestPaths.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, first), "");
            File.WriteAllText(Path.Combine(dir, second), "");
            File.WriteAllText(Path.Combine(dir, "m.json"), "{}");
            var e = Assert.Throws<CheckpointException>(() => ModelSource.FromDirectory(dir));
            Assert.Contains("or exactly one .safetensors among several; found 2", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Directory_with_one_safetensors_among_several_weight_files_chooses_it_and_names_the_others()
    {
        var dir = TestPaths.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "open_clip_pytorch_model.bin"), "");
            File.WriteAllText(Path.Combine(dir, "open_clip_model.safetensors"), "");
            File.WriteAllText(Path.Combine(dir, "open_clip_config.json"), "{}");
            var source = ModelSource.FromDirectory(dir);
            Assert.Equal(Path.Combine(dir, "open_clip_model.safetensors"), source.WeightsPath);
            Assert.Equal([Path.Combine(dir, "open_clip_pytorch_model.bin")], source.PassedOver!);
            Assert.EndsWith("open_clip_model.safetensors (preferred over open_clip_pytorch_model.bin)", source.Describe(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Garbage_file_is_reported_as_unreadable_checkpoint()
    {
        var dir = TestPaths.TempDir();
        try
        {
            var weights = Path.Combine(dir, "w.safetensors");
            File.WriteAllBytes(weights, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
            Assert.Throws<CheckpointException>(() => ClipEmbedder.Load(new ModelSource(weights, TestPaths.Model("tiny-vit"))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static CheckpointException LoadEdited(string ext, Action<Dictionary<string, torch.Tensor>> edit)
    {
        var configPath = TestPaths.Model("tiny-vit");
        using var original = ClipEmbedder.CreateRandom(ClipModelConfig.Load(configPath), "tiny-vit", seed: 3);
        var sd = new Dictionary<string, torch.Tensor>(original.Module.state_dict());
        edit(sd);
        var dir = TestPaths.TempDir();
        try
        {
            var weights = Path.Combine(dir, "w" + ext);
            if (ext == ".safetensors")
            {
                Safetensors.SaveStateDict(weights, sd);
            }
            else
            {
                PyTorchPickler.PickleStateDict(weights, sd);
            }

            return Assert.Throws<CheckpointException>(() => ClipEmbedder.Load(new ModelSource(weights, configPath)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
