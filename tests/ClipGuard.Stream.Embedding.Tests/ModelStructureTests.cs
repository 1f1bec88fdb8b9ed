using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Model;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class ModelStructureTests
{
    // Parameter totals of the published OpenAI/OpenCLIP models (CLIP's README notebook prints 102,007,137 for RN50
    // and 151,277,313 for ViT-B/32; OpenCLIP's model profile lists 149.62M for ViT-B/16).
    [Theory]
    [InlineData("RN50", 102_007_137L)]
    [InlineData("ViT-B-32", 151_277_313L)]
    [InlineData("ViT-B-16", 149_620_737L)]
    public void Real_configs_build_models_with_the_published_parameter_count(string name, long expected)
    {
        using var model = new ClipModel(BuiltInConfigs.Load(name));
        long total = model.parameters().Sum(p => p.numel());
        Assert.Equal(expected, total);
    }

    [Fact]
    public void Resnet_state_dict_uses_openclip_key_names()
    {
        using var model = new ClipModel(ClipModelConfig.Load(TestPaths.Model("tiny-rn")));
        var keys = model.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "visual.conv1.weight", "visual.bn1.running_mean", "visual.conv3.weight", "visual.bn3.weight",
            "visual.layer1.0.conv1.weight", "visual.layer1.0.downsample.0.weight", "visual.layer1.0.downsample.1.running_var",
            "visual.layer1.1.bn3.bias", "visual.layer4.0.downsample.0.weight",
            "visual.attnpool.positional_embedding", "visual.attnpool.q_proj.weight", "visual.attnpool.k_proj.bias",
            "visual.attnpool.v_proj.weight", "visual.attnpool.c_proj.weight",
            "token_embedding.weight", "positional_embedding", "transformer.resblocks.0.ln_1.weight",
            "transformer.resblocks.1.attn.in_proj_weight", "transformer.resblocks.1.attn.in_proj_bias",
            "transformer.resblocks.0.attn.out_proj.weight", "transformer.resblocks.0.mlp.c_fc.weight",
            "transformer.resblocks.0.mlp.c_proj.bias", "transformer.resblocks.0.ln_2.bias",
            "ln_final.weight", "text_projection", "logit_scale",
        ];
        Assert.All(expected, k => Assert.Contains(k, keys));
        // The second block of a stage keeps its input width: no shortcut projection.
        Assert.DoesNotContain("visual.layer1.1.downsample.0.weight", keys);
    }

    [Fact]
    public void Vit_state_dict_uses_openclip_key_names_and_shapes()
    {
        using var model = new ClipModel(ClipModelConfig.Load(TestPaths.Model("tiny-vit")));
        var sd = model.state_dict();
        Assert.Equal([32L, 3, 8, 8], sd["visual.conv1.weight"].shape);
        Assert.Equal([32L], sd["visual.class_embedding"].shape);
        Assert.Equal([17L, 32], sd["visual.positional_embedding"].shape);     // (32/8)² patches + class token
        Assert.Equal([32L, 16], sd["visual.proj"].shape);
        Assert.Equal([96L, 32], sd["visual.transformer.resblocks.1.attn.in_proj_weight"].shape);
        Assert.Contains("visual.ln_pre.weight", sd.Keys);
        Assert.Contains("visual.ln_post.bias", sd.Keys);
        Assert.Equal([16L, 32], sd["positional_embedding"].shape);
        Assert.Equal([512L, 32], sd["token_embedding.weight"].shape);
        Assert.DoesNotContain(sd.Keys, k => k.Contains("attn_mask", StringComparison.Ordinal));
    }
}
