using ClipGuard.Stream.Embedding.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// OpenCLIP's <c>CLIP</c> module: the image tower under <c>visual.</c>, the text tower at the top level, and
/// <c>logit_scale</c>; parameter names equal OpenCLIP's state_dict keys so its checkpoints load as they are.
/// </summary>
internal sealed class ClipModel : Module
{
    private readonly Module<Tensor, Tensor> visual;
    private readonly TorchSharp.Modules.Embedding token_embedding;
    private readonly Parameter positional_embedding;
    private readonly Transformer transformer;
    private readonly LayerNorm ln_final;
    private readonly Parameter text_projection;
    private readonly Parameter logit_scale;

    public ClipModel(ClipModelConfig config) : base("CLIP")
    {
        Config = config;
        var text = config.Text;
        visual = config.Vision.IsResNet
            ? new ModifiedResNet(config.Vision, config.EmbedDim)
            : new VisionTransformer(config.Vision, config.EmbedDim, config.QuickGelu);
        token_embedding = nn.Embedding(text.VocabSize, text.Width);
        positional_embedding = new Parameter(torch.empty(text.ContextLength, text.Width));
        transformer = new Transformer(text.Width, text.Layers, text.Heads, text.MlpRatio, config.QuickGelu, causal: true);
        ln_final = LayerNorm(text.Width);
        text_projection = new Parameter(torch.empty(text.Width, config.EmbedDim));
        logit_scale = new Parameter(torch.tensor((float)Math.Log(1 / 0.07)));

        // OpenCLIP's initialisation of the text tower: random weights (benchmarks, tests) then look like its.
        using (torch.no_grad())
        {
            init.normal_(token_embedding.weight!, std: 0.02);
            init.normal_(positional_embedding, std: 0.01);
            init.normal_(text_projection, std: Math.Pow(text.Width, -0.5));
        }

        RegisterComponents();
    }

    public ClipModelConfig Config { get; }

    public float LogitScale => logit_scale.exp().item<float>();

    /// <summary>The learnable log of the contrastive temperature's inverse (OpenCLIP's <c>logit_scale</c>), for training.</summary>
    internal Parameter LogLogitScale => logit_scale;

    /// <summary>Pixels (B, 3, S, S), already normalised, to image embeddings (B, embed_dim).</summary>
    public Tensor EncodeImage(Tensor pixels, bool normalize)
    {
        var features = visual.forward(pixels);
        return normalize ? Normalize(features) : features;
    }

    /// <summary>Token ids (B, context_length) to text embeddings, pooled at the end-of-text token (the highest id).</summary>
    public Tensor EncodeText(Tensor tokens, bool normalize)
    {
        using var scope = NewDisposeScope();
        var x = token_embedding.forward(tokens).Plus(positional_embedding);
        x = ln_final.forward(transformer.forward(x));
        // CLIP's end-of-text id 49407 is the largest in the vocabulary, so argmax finds it without a lookup.
        var eot = tokens.argmax(-1);
        var pooled = x[torch.arange(x.shape[0]), eot];
        var features = pooled.matmul(text_projection);
        return (normalize ? Normalize(features) : features).MoveToOuterDisposeScope();
    }

    private static Tensor Normalize(Tensor features)
    {
        using var scope = NewDisposeScope();
        return functional.normalize(features, p: 2, dim: -1).MoveToOuterDisposeScope();
    }
}
