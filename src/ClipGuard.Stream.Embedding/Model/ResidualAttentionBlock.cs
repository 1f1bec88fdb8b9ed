using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>Pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)); OpenCLIP's key names.</summary>
internal sealed class ResidualAttentionBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly SelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Sequential mlp;

    public ResidualAttentionBlock(long width, long heads, double mlpRatio, bool quickGelu, bool causal) : base("ResidualAttentionBlock")
    {
        long hidden = (long)(width * mlpRatio);
        ln_1 = LayerNorm(width);
        attn = new SelfAttention(width, heads, causal);
        ln_2 = LayerNorm(width);
        Module<Tensor, Tensor> act = quickGelu ? new QuickGelu() : GELU();
        mlp = Sequential(("c_fc", Linear(width, hidden)), ("gelu", act), ("c_proj", Linear(hidden, width)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var normed1 = ln_1.forward(input);
        using var attended = attn.forward(normed1);
        using var x = input.Plus(attended);
        using var normed2 = ln_2.forward(x);
        using var mlpOut = mlp.forward(normed2);
        // Out of place: ln_2 saved x for the backward pass (training), which an in-place add would invalidate.
        return x.Plus(mlpOut);
    }
}
