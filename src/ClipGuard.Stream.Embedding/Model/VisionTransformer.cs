using ClipGuard.Stream.Embedding.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// OpenCLIP's VisionTransformer as configured by ViT-B-32/ViT-B-16: patchify by a stride-p convolution, prepend the
/// class token, add learned positions, ln_pre, transformer, ln_post on the class token, then project.
/// </summary>
internal sealed class VisionTransformer : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Parameter class_embedding;
    private readonly Parameter positional_embedding;
    private readonly LayerNorm ln_pre;
    private readonly Transformer transformer;
    private readonly LayerNorm ln_post;
    private readonly Parameter proj;

    public VisionTransformer(VisionConfig cfg, int embedDim, bool quickGelu) : base("VisionTransformer")
    {
        int patch = cfg.PatchSize ?? throw new ModelConfigException("a ViT needs patch_size");
        if (cfg.ImageSize % patch != 0)
        {
            throw new ModelConfigException($"image_size {cfg.ImageSize} is not a multiple of patch_size {patch}");
        }

        long width = cfg.Width;
        long grid = cfg.ImageSize / patch;
        double scale = Math.Pow(width, -0.5);
        conv1 = Conv2d(3, width, kernel_size: patch, stride: patch, bias: false);
        class_embedding = new Parameter(torch.randn(width) * scale);
        positional_embedding = new Parameter(torch.randn(grid * grid + 1, width) * scale);
        ln_pre = LayerNorm(width);
        transformer = new Transformer(width, cfg.Layers, width / cfg.HeadWidth, cfg.MlpRatio, quickGelu, causal: false);
        ln_post = LayerNorm(width);
        proj = new Parameter(torch.randn(width, embedDim) * scale);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv1.forward(input);                      // (B, width, grid, grid)
        x = x.flatten(2).transpose(1, 2);                  // (B, grid², width)
        var cls = class_embedding.view(1, 1, -1).expand(x.shape[0], 1, -1);
        x = torch.cat([cls, x], 1).Plus(positional_embedding);
        x = transformer.forward(ln_pre.forward(x));
        var pooled = ln_post.forward(x.select(1, 0));
        return pooled.matmul(proj).MoveToOuterDisposeScope();
    }
}
