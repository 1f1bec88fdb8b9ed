using ClipGuard.Stream.Embedding.Config;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class ModelConfigTests
{
    [Fact]
    public void Rn50_config_is_a_resnet_with_four_stages()
    {
        var c = BuiltInConfigs.Load("RN50");
        Assert.True(c.Vision.IsResNet);
        Assert.Equal([3, 4, 6, 3], c.Vision.ResNetLayers!);
        Assert.Equal(1024, c.EmbedDim);
        Assert.Equal(64, c.Vision.Width);
        Assert.Equal(77, c.Text.ContextLength);
    }

    [Theory]
    [InlineData("ViT-B-32", 32)]
    [InlineData("ViT-B-16", 16)]
    public void Vit_configs_read_patch_size_and_depth(string name, int patch)
    {
        var c = BuiltInConfigs.Load(name);
        Assert.False(c.Vision.IsResNet);
        Assert.Equal(patch, c.Vision.PatchSize);
        Assert.Equal(12, c.Vision.Layers);
        Assert.Equal(768, c.Vision.Width);
        Assert.Equal(64, c.Vision.HeadWidth);
        Assert.Equal(49408, c.Text.VocabSize);
    }

    [Fact]
    public void Hub_style_config_with_model_cfg_wrapper_is_unwrapped()
    {
        var c = ClipModelConfig.Parse("""{"model_cfg": {"embed_dim": 8, "quick_gelu": true, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16}, "text_cfg": {}}, "preprocess_cfg": {}}""");
        Assert.Equal(8, c.EmbedDim);
        Assert.True(c.QuickGelu);
        Assert.Equal(512, c.Text.Width);
    }

    [Theory]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16, "attentional_pool": true}, "text_cfg": {}}""", "attentional_pool")]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16}, "text_cfg": {"hf_model_name": "roberta-base"}}""", "hf_model_name")]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16, "timm_model_name": "vit"}, "text_cfg": {}}""", "timm_model_name")]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16}, "text_cfg": {}}""", "patch_size")]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": [1, 1, 1], "width": 16}, "text_cfg": {}}""", "4 stages")]
    [InlineData("""{"vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16}, "text_cfg": {}}""", "embed_dim")]
    [InlineData("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16}, "text_cfg": {}, "multimodal_cfg": {}}""", "multimodal_cfg")]
    public void Unsupported_or_missing_settings_are_refused_by_name(string json, string named)
    {
        var e = Assert.Throws<ModelConfigException>(() => ClipModelConfig.Parse(json));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_valued_optional_keys_are_accepted()
    {
        var c = ClipModelConfig.Parse("""{"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 16, "patch_size": 16, "ls_init_value": null, "patch_dropout": 0.0}, "text_cfg": {"pool_type": "argmax"}}""");
        Assert.Equal(16, c.Vision.Width);
    }
}
